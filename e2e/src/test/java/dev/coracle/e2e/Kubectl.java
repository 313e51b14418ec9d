package dev.coracle.e2e;

import dev.coracle.testsupport.ServerProcess;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The real kubectl, run as a user would type it: {@code KUBECONFIG} set, a private {@code --cache-dir},
 * stdout/stderr/exit code captured. Every run is bounded; a background run ({@link #start}) is a
 * long-lived command such as {@code get -w} or {@code proxy} whose output is read while it runs.
 */
public final class Kubectl {

    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(90);

    private final String binary = System.getenv().getOrDefault("KUBECTL", "/usr/bin/kubectl");
    private final Path kubeconfig;
    private final Path cacheDir;
    private final Path workDir;

    public Kubectl(Path kubeconfig, Path workDir) {
        this.kubeconfig = kubeconfig;
        this.workDir = workDir;
        this.cacheDir = workDir.resolve("kubectl-cache");
    }

    /** The same user with another kubeconfig (e.g. a copy made before a restart). */
    public Kubectl withKubeconfig(Path other) {
        return new Kubectl(other, workDir);
    }

    public Result run(String... args) {
        return run(Map.of(), null, args);
    }

    /** {@code kubectl ARGS <<< stdin} */
    public Result runWithStdin(String stdin, String... args) {
        return run(Map.of(), stdin, args);
    }

    public Result run(Map<String, String> env, String stdin, String... args) {
        try {
            Path in = Files.createTempFile(workDir, "stdin-", ".txt");
            Path out = Files.createTempFile(workDir, "stdout-", ".txt");
            Path err = Files.createTempFile(workDir, "stderr-", ".txt");
            Files.writeString(in, stdin == null ? "" : stdin);
            Process process = builder(env, args)
                    .redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish within " + RUN_TIMEOUT
                        + "\nstdout: " + Files.readString(out) + "\nstderr: " + Files.readString(err));
            }
            Result result = new Result(List.of(args), process.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(in);
            Files.delete(out);
            Files.delete(err);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts a long-running kubectl ({@code get -w}, {@code proxy}); stop it with {@link Background#close()}. */
    public Background start(String... args) {
        try {
            Path out = Files.createTempFile(workDir, "bg-stdout-", ".txt");
            Path err = Files.createTempFile(workDir, "bg-stderr-", ".txt");
            Process process = builder(Map.of(), args).redirectInput(new File("/dev/null"))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            Background background = new Background(List.of(args), process, out, err);
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
            return background;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ProcessBuilder builder(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary);
        command.add("--cache-dir=" + cacheDir);
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        Map<String, String> environment = builder.environment();
        environment.put("KUBECONFIG", kubeconfig.toString());
        environment.remove("KUBE_EDITOR");
        environment.putAll(env);
        return builder;
    }

    /** What a kubectl run printed and how it exited. */
    public record Result(List<String> args, int exitCode, String stdout, String stderr) {

        /** Asserts exit code 0 and returns this, so calls read {@code kubectl.run(...).ok().stdout()}. */
        public Result ok() {
            if (exitCode != 0) {
                throw new AssertionError(this + " failed");
            }
            return this;
        }

        /** Asserts a non-zero exit code. */
        public Result fails() {
            if (exitCode == 0) {
                throw new AssertionError(this + " was expected to fail");
            }
            return this;
        }

        public Table table() {
            return Table.parse(stdout);
        }

        public List<String> lines() {
            return stdout.lines().toList();
        }

        @Override
        public String toString() {
            return "kubectl " + String.join(" ", args) + " (exit " + exitCode + ")\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    /** A kubectl still running in the background, its output readable at any time. */
    public static final class Background implements AutoCloseable {
        private final List<String> args;
        private final Process process;
        private final Path out;
        private final Path err;

        Background(List<String> args, Process process, Path out, Path err) {
            this.args = args;
            this.process = process;
            this.out = out;
            this.err = err;
        }

        public String stdout() {
            return read(out);
        }

        public String stderr() {
            return read(err);
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        /** Waits (at most {@code timeout}) until the output so far satisfies {@code condition}. */
        public String awaitOutput(Duration timeout, Predicate<String> condition) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                String stdout = stdout();
                if (condition.test(stdout)) {
                    return stdout;
                }
                if (!process.isAlive()) {
                    break;
                }
                ServerProcess.sleep(100);
            }
            throw new AssertionError("kubectl " + String.join(" ", args) + (process.isAlive() ? " still running" : " exited")
                    + ", its output never matched within " + timeout + "\n--- stdout\n" + stdout() + "--- stderr\n" + stderr());
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }

        private static String read(Path file) {
            try {
                return Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
