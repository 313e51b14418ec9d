package dev.coracle.e2e.lab;

import dev.coracle.testsupport.Https;
import dev.coracle.testsupport.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code mvn -Pimages}: Jib builds the server, agent and dashboard images as OCI tarballs on the base
 * image made here (no registry, no Docker daemon), and the server image, unpacked and run with runc,
 * answers {@code /readyz}.
 */
class ImagesTest {

    private static final Map<String, String> MAIN_CLASSES = new LinkedHashMap<>(Map.of(
            "control-plane", "dev.coracle.server.CoracleServer",
            "node-agent", "dev.coracle.agent.NodeAgentApplication"));

    @TempDir
    Path work;

    @Test
    void jibBuildsTheImagesAndTheServerImageRunsUnderRunc() throws Exception {
        Path root = ServerProcess.root();
        List<String> modules = new ArrayList<>(MAIN_CLASSES.keySet());
        // the dashboard has an image once it has a program (its module may still be empty)
        if (Files.isDirectory(root.resolve("dashboard/src/main/java"))) {
            modules.add("dashboard");
        }
        buildImages(root, modules);

        Map<String, OciImage> images = new LinkedHashMap<>();
        for (String module : modules) {
            Path tarball = root.resolve(module).resolve("target/jib-image.tar");
            assertThat(tarball).as(module + "'s image").exists();
            OciImage image = OciImage.open(tarball, work.resolve("oci").resolve(module));
            assertThat(image.reference()).startsWith("coracle/" + module + ":");
            assertThat(image.command()).first().isEqualTo("java");
            if (MAIN_CLASSES.containsKey(module)) {
                assertThat(image.command()).contains(MAIN_CLASSES.get(module));
            }
            images.put(module, image);
        }

        assumeTrue(RuncContainer.available(), "runc is not installed (apt-get install runc)");
        OciImage server = images.get("control-plane");
        Path bundle = work.resolve("bundle");
        server.unpack(bundle.resolve("rootfs"));
        int port = LabPorts.consecutive(1)[0];
        List<String> command = new ArrayList<>(server.command());
        command.addAll(List.of("--data-dir", "/var/lib/coracle/server", "--bind-address", "127.0.0.1",
                "--https-listen-port", String.valueOf(port)));
        List<String> env = new ArrayList<>(server.env());
        env.add("JAVA_TOOL_OPTIONS=-Xmx384m");
        try (RuncContainer container = RuncContainer.run("clab-image-" + port, bundle, command, env)) {
            awaitReadyz(container, "https://127.0.0.1:" + port + "/readyz");
        }
        assertThat(Files.exists(bundle.resolve("rootfs/var/lib/coracle/server/kubeconfig.yaml")))
                .as("the server wrote its state inside the container's root").isTrue();
    }

    /** The images profile's goals, on the modules the reactor already compiled. */
    private static void buildImages(Path root, List<String> modules) throws IOException, InterruptedException {
        Path log = Files.createDirectories(root.resolve("e2e/target")).resolve("images-build.log");
        List<String> command = new ArrayList<>(List.of("mvn", "-B", "-q", "-Pimages", "-pl", "." + "," + String.join(",", modules),
                "validate", "jib:buildTar"));
        Process build = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!build.waitFor(10, TimeUnit.MINUTES)) {
            build.destroyForcibly();
            throw new AssertionError("the image build did not finish within 10 minutes: " + log);
        }
        assertThat(build.exitValue()).as(String.join(" ", command) + ":\n" + Files.readString(log)).isZero();
    }

    private static void awaitReadyz(RuncContainer container, String url) throws InterruptedException {
        HttpClient http = Https.trustAllClient();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        String last = "nothing yet";
        while (System.nanoTime() < deadline) {
            assertThat(container.isRunning()).as("the container exited:\n" + container.log()).isTrue();
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().equals("ok")) {
                    return;
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(500);
        }
        throw new AssertionError(url + " never answered ok (last: " + last + "):\n" + container.log());
    }
}
