package dev.coracle.e2e.lab;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An OCI image layout tarball as Jib writes it ({@code index.json}, {@code blobs/sha256/...}): its
 * reference, its config, and its file system unpacked layer by layer, as a container runtime does.
 */
record OciImage(Path layout, String reference, JsonNode config, List<String> layerDigests) {

    static final JsonMapper JSON = JsonMapper.builder().build();

    static OciImage open(Path tarball, Path into) {
        try {
            Files.createDirectories(into);
            run(into, "tar", "-xf", tarball.toString(), "-C", into.toString());
            JsonNode index = JSON.readTree(Files.readString(into.resolve("index.json")));
            JsonNode entry = index.path("manifests").get(0);
            JsonNode manifest = JSON.readTree(Files.readString(blob(into, entry.path("digest").asString())));
            JsonNode config = JSON.readTree(Files.readString(blob(into, manifest.path("config").path("digest").asString())));
            List<String> layers = new ArrayList<>();
            manifest.path("layers").forEach(layer -> layers.add(layer.path("digest").asString()));
            return new OciImage(into, entry.path("annotations").path("org.opencontainers.image.ref.name").asString(), config, layers);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The command the image runs: its Entrypoint then its Cmd. */
    List<String> command() {
        List<String> command = new ArrayList<>();
        config.path("config").path("Entrypoint").forEach(arg -> command.add(arg.asString()));
        config.path("config").path("Cmd").forEach(arg -> command.add(arg.asString()));
        return command;
    }

    List<String> env() {
        List<String> env = new ArrayList<>();
        config.path("config").path("Env").forEach(value -> env.add(value.asString()));
        return env;
    }

    /** Extracts the layers in order into {@code rootfs} (Jib's layers add files only: no whiteouts to apply). */
    void unpack(Path rootfs) {
        try {
            Files.createDirectories(rootfs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String digest : layerDigests) {
            run(rootfs, "tar", "--warning=no-unknown-keyword", "-xzf", blob(layout, digest).toString(), "-C", rootfs.toString());
        }
    }

    private static Path blob(Path layout, String digest) {
        return layout.resolve("blobs").resolve(digest.replace(':', '/'));
    }

    static String run(Path dir, String... command) {
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
