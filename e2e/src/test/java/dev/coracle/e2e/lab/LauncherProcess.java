package dev.coracle.e2e.lab;

import dev.coracle.testsupport.ServerProcess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A long-running launcher command ({@code ./coracle demo}) in its own session and process group, as
 * it runs in a user's terminal: {@link #interrupt()} is Ctrl-C (SIGINT to the whole group), {@link
 * #terminate()} is SIGTERM to the launcher alone. A shutdown hook kills the group if the test run dies.
 */
final class LauncherProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    private LauncherProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static LauncherProcess start(Path log, String... args) {
        // A terminal's foreground job takes Ctrl-C; a test JVM started in the background (nohup, &) may have SIGINT
        // ignored, which its children would inherit and bash could then not trap: reset it as a terminal would.
        List<String> command = new ArrayList<>(List.of("setsid", "env", "--default-signal=INT,QUIT",
                ServerProcess.root().resolve("coracle").toString()));
        command.addAll(List.of(args));
        try {
            Files.deleteIfExists(log);
            ProcessBuilder builder = new ProcessBuilder(command).directory(ServerProcess.root().toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().remove("KUBECONFIG");
            Process process = builder.start();
            long group = process.pid();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> signalGroup(group, "KILL")));
            return new LauncherProcess(process, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits (bounded) until the launcher's output satisfies {@code condition}; fails if it exits first. */
    String awaitOutput(Duration timeout, Predicate<String> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String output = output();
            if (condition.test(output)) {
                return output;
            }
            if (!process.isAlive()) {
                throw new AssertionError("the launcher exited with " + process.exitValue() + ":\n" + output);
            }
            ServerProcess.sleep(500);
        }
        throw new AssertionError("the launcher's output never matched within " + timeout + ":\n" + output());
    }

    String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every process the launcher started, and theirs: what must be gone once it stopped. */
    List<ProcessHandle> tree() {
        return Stream.concat(Stream.of(process.toHandle()), process.descendants()).toList();
    }

    /** Ctrl-C in the launcher's terminal: SIGINT to its whole process group. */
    void interrupt() {
        signalGroup(process.pid(), "INT");
    }

    /** SIGTERM to the launcher alone, as systemd or kill(1) sends it. */
    void terminate() {
        process.destroy();
    }

    /** The launcher's exit code, waiting at most {@code timeout}. */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the launcher still runs " + timeout + " after it was told to stop:\n" + output());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive() || process.descendants().findAny().isPresent()) {
            signalGroup(process.pid(), "KILL");
        }
    }

    private static void signalGroup(long group, String signal) {
        try {
            new ProcessBuilder("kill", "-" + signal, "--", "-" + group)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
