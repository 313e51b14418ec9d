package dev.coracle.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real kubectl (v1.32 through /usr/bin/kubectl's dispatcher) against a {@link TestServer}, with its own
 * HOME and discovery cache so no run sees another's.
 */
public final class Kubectl {

    public static final Path PATH = Path.of("/usr/bin/kubectl");

    private final TestServer server;
    private final Path home;

    public record Result(int exitCode, String out, String err) {
    }

    /** A test that runs kubectl is skipped where kubectl is not installed. */
    public Kubectl(TestServer server, Path home) {
        org.junit.jupiter.api.Assumptions.assumeTrue(installed(), "kubectl is not installed at " + PATH);
        this.server = server;
        this.home = home;
    }

    public static boolean installed() {
        return Files.isExecutable(PATH);
    }

    /** Runs {@code kubectl args...}; fails the test if it takes more than a minute. */
    public Result run(String... args) {
        List<String> command = new ArrayList<>(List.of(PATH.toString(), "--kubeconfig=" + server.kubeconfig(),
                "--cache-dir=" + home.resolve("cache")));
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(home, "out", ".txt");
            Path err = Files.createTempFile(home, "err", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().put("HOME", home.toString());
            Process process = builder.start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 60s; stderr: " + Files.readString(err));
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code kubectl args...} and returns its output; fails the test unless it exits 0. */
    public String succeeds(String... args) {
        Result r = run(args);
        if (r.exitCode() != 0) {
            throw new AssertionError("kubectl " + String.join(" ", args) + " exited " + r.exitCode() + ": " + r.err());
        }
        return r.out();
    }
}
