package dev.coracle.e2e.lab;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An unpacked image run with the real {@code runc}: the bundle's {@code config.json} is runc's own
 * default spec ({@code runc spec}) with the image's command, environment and a writable root, sharing
 * the host's network so that a test reaches its port on 127.0.0.1. {@link #close()} stops it (SIGTERM,
 * then {@code runc delete --force}).
 */
final class RuncContainer implements AutoCloseable {

    private final String id;
    private final Process process;
    private final Path log;

    private RuncContainer(String id, Process process, Path log) {
        this.id = id;
        this.process = process;
        this.log = log;
    }

    static boolean available() {
        try {
            return new ProcessBuilder("runc", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs {@code command} with {@code env} in the bundle whose root file system is {@code bundle/rootfs}. */
    static RuncContainer run(String id, Path bundle, List<String> command, List<String> env) {
        try {
            Files.deleteIfExists(bundle.resolve("config.json"));
            OciImage.run(bundle, "runc", "spec", "--bundle", bundle.toString());
            ObjectNode spec = (ObjectNode) OciImage.JSON.readTree(Files.readString(bundle.resolve("config.json")));
            ObjectNode processSpec = (ObjectNode) spec.get("process");
            processSpec.put("terminal", false);
            ArrayNode args = processSpec.putArray("args");
            command.forEach(args::add);
            ArrayNode envs = processSpec.putArray("env");
            env.forEach(envs::add);
            ((ObjectNode) spec.get("root")).put("readonly", false);
            ArrayNode namespaces = (ArrayNode) spec.get("linux").get("namespaces");
            for (int i = namespaces.size() - 1; i >= 0; i--) {
                if ("network".equals(namespaces.get(i).path("type").asString())) {
                    namespaces.remove(i);
                }
            }
            Files.writeString(bundle.resolve("config.json"), OciImage.JSON.writeValueAsString(spec));
            forceDelete(id);
            Path log = bundle.resolve("container.log");
            Process process = new ProcessBuilder("runc", "run", "--bundle", bundle.toString(), id)
                    .redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> forceDelete(id)));
            return new RuncContainer(id, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean isRunning() {
        return process.isAlive();
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        try {
            new ProcessBuilder("runc", "kill", id, "TERM").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            forceDelete(id);
        }
    }

    private static void forceDelete(String id) {
        try {
            new ProcessBuilder("runc", "delete", "--force", id).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
