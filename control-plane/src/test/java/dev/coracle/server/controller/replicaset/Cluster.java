package dev.coracle.server.controller.replicaset;

import dev.coracle.server.testing.TestServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One real control plane shared by the workload tests of this JVM (each test works in its own namespace),
 * a Fabric8 client on it, and the real kubectl pointed at it.
 */
public final class Cluster {

    public static final String KUBECTL = "/usr/bin/kubectl";
    private static Cluster shared;
    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    private final TestServer server;
    private final KubernetesClient client;
    private final Path kubectlCache;

    private Cluster() {
        server = TestServer.embedded();
        client = server.client();
        try {
            kubectlCache = Files.createTempDirectory("kubectl-cache-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            client.close();
            server.close();
        }));
    }

    public static synchronized Cluster get() {
        if (shared == null) {
            shared = new Cluster();
        }
        return shared;
    }

    public KubernetesClient client() {
        return client;
    }

    public TestServer server() {
        return server;
    }

    /** A fresh namespace for one test. */
    public String namespace(String prefix) {
        String name = prefix + "-" + NAMESPACES.incrementAndGet();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
        return name;
    }

    public record Result(int exitCode, String out, String err) {
        public String outOrFail() {
            if (exitCode != 0) {
                throw new AssertionError("kubectl failed (" + exitCode + "): " + err + out);
            }
            return out;
        }
    }

    /** Runs the real kubectl against this server, with a time limit. */
    public Result kubectl(String... args) {
        List<String> command = new ArrayList<>(List.of(KUBECTL, "--kubeconfig=" + server.kubeconfig(), "--cache-dir=" + kubectlCache));
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("kubectl-out-", ".txt");
            Path err = Files.createTempFile("kubectl-err-", ".txt");
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 90 s");
            }
            Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** {@code kubectl apply -f} of a manifest (written to a file first); the test skipped where kubectl is not installed. */
    public String apply(String manifest) {
        try {
            Path file = Files.createTempFile("manifest-", ".yaml");
            Files.writeString(file, manifest);
            try {
                return kubectlIfInstalled("apply", "-f", file.toString()).outOrFail();
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #kubectl}, the test skipped rather than failed where kubectl is not installed. */
    public Result kubectlIfInstalled(String... args) {
        assumeTrue(kubectlAvailable(), "kubectl is not installed at " + KUBECTL);
        return kubectl(args);
    }

    /** Polls until the condition holds, failing with what was awaited once {@code wait} has passed. */
    public static void await(String what, Duration wait, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + wait.toSeconds() + "s waiting until " + what);
            }
            Thread.sleep(50);
        }
    }

    public static boolean kubectlAvailable() {
        return Files.isExecutable(Path.of(KUBECTL));
    }
}
