package dev.coracle.e2e.lab;

import dev.coracle.testsupport.ServerProcess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One lab machine: a network namespace of {@link LabNetwork} and, on the shared file system, its own
 * install prefix, data dir and config dir (what /opt/coracle, /var/lib/coracle and /etc/coracle are on
 * a VM). {@link #provision} runs the real {@code provision/server.sh} or {@code agent.sh} there, with
 * the switch that starts the services directly (systemd is not PID 1 here).
 */
final class LabNode {

    private static final Duration PROVISION_TIMEOUT = Duration.ofMinutes(6);

    private final String name;
    private final LabNetwork network;
    private final Path dir;

    LabNode(String name, LabNetwork network, Path labDir) {
        this.name = name;
        this.network = network;
        this.dir = labDir.resolve(name);
    }

    String name() {
        return name;
    }

    String ip() {
        return network.ipOf(name);
    }

    /** Starts {@code provision/SCRIPT ARGS} in this node; {@link Run#await()} waits for it and returns its output. */
    Run provision(String script, String... args) {
        List<String> command = new ArrayList<>(List.of(ServerProcess.root().resolve("provision").resolve(script).toString()));
        command.addAll(List.of(args));
        try {
            Files.createDirectories(dir);
            Path log = Files.createTempFile(dir, script + "-", ".log");
            ProcessBuilder builder = new ProcessBuilder(network.inNode(name, command.toArray(String[]::new)))
                    .redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Map<String, String> env = builder.environment();
            env.put("CORACLE_PREFIX", dir.resolve("opt").toString());
            env.put("CORACLE_DATA_DIR", dir.resolve("data").toString());
            env.put("CORACLE_CONFIG_DIR", dir.resolve("etc").toString());
            env.put("CORACLE_SERVICE_MODE", "direct");
            env.remove("KUBECONFIG");
            return new Run(name + ": " + String.join(" ", command), builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the services the provision scripts started here: SIGTERM to each one's process group, SIGKILL after a grace period. */
    void stop() {
        Path run = dir.resolve("data/run");
        if (!Files.isDirectory(run)) {
            return;
        }
        List<Long> groups;
        try (Stream<Path> files = Files.list(run)) {
            groups = files.filter(f -> f.toString().endsWith(".pid")).map(LabNode::readPid).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        groups.forEach(pid -> signal("TERM", pid));
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (groups.stream().anyMatch(LabNode::alive) && System.nanoTime() < deadline) {
            ServerProcess.sleep(200);
        }
        groups.forEach(pid -> signal("KILL", pid));
    }

    private static long readPid(Path file) {
        try {
            return Long.parseLong(Files.readString(file).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The services run in sessions of their own (setsid), so their pid is also their process group. */
    private static void signal(String signal, long group) {
        try {
            new ProcessBuilder("kill", "-" + signal, "--", "-" + group).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A provision script running in a node. */
    record Run(String description, Process process, Path log) {

        String await() {
            try {
                if (!process.waitFor(PROVISION_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError(description + " did not finish within " + PROVISION_TIMEOUT + ":\n" + Files.readString(log));
                }
                String output = Files.readString(log);
                if (process.exitValue() != 0) {
                    throw new AssertionError(description + " failed (exit " + process.exitValue() + "):\n" + output);
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
}
