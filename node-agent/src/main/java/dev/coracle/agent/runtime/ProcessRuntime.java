package dev.coracle.agent.runtime;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * Each container's command as a host process in its own session and process group (through
 * {@code setsid}), so a stop signals the whole group: {@code sh -c "...; sleep 30"} and its children
 * alike. stdout and stderr go, interleaved, to the container's log file. The pod's IP is the node's.
 */
public class ProcessRuntime implements ContainerRuntime {

    private static final boolean HAVE_SETSID = new File("/usr/bin/setsid").canExecute() || new File("/bin/setsid").canExecute();

    @Override
    public String name() {
        return "process";
    }

    @Override
    public String version() {
        return "process://0.1.0";
    }

    @Override
    public String podIp(String podUid, String nodeIp) {
        return nodeIp;
    }

    @Override
    public ContainerHandle start(ContainerSpec spec) {
        if (spec.command() == null || spec.command().isEmpty()) {
            throw new ContainerStartException("CreateContainerConfigError",
                    "the process runtime needs a command (or args): container " + spec.containerName() + " has none");
        }
        List<String> argv = new ArrayList<>();
        if (HAVE_SETSID) {
            argv.add("setsid");
        }
        argv.addAll(spec.command());
        ProcessBuilder builder = new ProcessBuilder(argv);
        builder.environment().clear();
        builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        builder.environment().put("HOSTNAME", spec.podName());
        builder.environment().putAll(spec.env());
        if (spec.workingDir() != null && !spec.workingDir().isBlank()) {
            File dir = new File(spec.workingDir());
            if (!dir.isDirectory()) {
                throw new ContainerStartException("CreateContainerError", "workingDir " + spec.workingDir() + " does not exist");
            }
            builder.directory(dir);
        }
        try {
            Files.createDirectories(spec.logFile().getParent());
            builder.redirectErrorStream(true);
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(spec.logFile().toFile()));
            builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            Process process = builder.start();
            return new ProcessHandleImpl(process, Instant.now(), spec, Map.copyOf(builder.environment()));
        } catch (IOException e) {
            throw new ContainerStartException("StartError", "cannot run " + spec.command().get(0) + ": " + e.getMessage());
        }
    }

    /**
     * The command as a child process with the container's environment and working directory, in the
     * container's cgroup when it has one of its own (cgroup v2: the shell joins it, then execs the
     * command). A tty is a pseudo-terminal made by util-linux {@code script}, resized with {@code stty}.
     */
    @Override
    public ExecProcess exec(ContainerHandle container, List<String> command, boolean tty) {
        if (!(container instanceof ProcessHandleImpl handle) || !handle.isRunning()) {
            throw new ContainerStartException("ContainerNotRunning", "container is not running");
        }
        if (command == null || command.isEmpty()) {
            throw new ContainerStartException("InvalidCommand", "no command given");
        }
        List<String> argv = new ArrayList<>();
        String cgroupProcs = ExecCgroup.procsFileOf(handle.process.pid());
        if (cgroupProcs != null) {
            argv.addAll(List.of("sh", "-c", "echo $$ > \"$0\" 2>/dev/null; exec \"$@\"", cgroupProcs));
        }
        if (tty) {
            argv.addAll(List.of("script", "-q", "-f", "-e", "-c", ExecCgroup.shellQuote(command), "/dev/null"));
        } else {
            argv.addAll(command);
        }
        ProcessBuilder builder = new ProcessBuilder(argv);
        builder.environment().clear();
        builder.environment().putAll(handle.environment);
        if (tty) {
            builder.environment().putIfAbsent("TERM", "xterm");
            builder.environment().put("SHELL", "/bin/sh");
        }
        if (handle.spec.workingDir() != null && !handle.spec.workingDir().isBlank()) {
            builder.directory(new File(handle.spec.workingDir()));
        }
        try {
            Process process = builder.start();
            return new ScriptExec(process, tty);
        } catch (IOException e) {
            throw new ContainerStartException("StartError", "cannot run " + command.get(0) + ": " + e.getMessage());
        }
    }

    /** An exec'd process; with a tty, the terminal is the pty that {@code script} made for its child. */
    record ScriptExec(Process process, boolean tty) implements ExecProcess {
        @Override
        public void resize(int columns, int rows) {
            if (!tty || columns <= 0 || rows <= 0) {
                return;
            }
            // the first resize comes right after the start, maybe before script has made its child
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (process.isAlive() && process.children().findAny().isEmpty() && System.nanoTime() < until) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            process.children().findFirst().ifPresent(child -> {
                try {
                    Path terminal = Files.readSymbolicLink(Path.of("/proc", String.valueOf(child.pid()), "fd", "0"));
                    if (terminal.toString().startsWith("/dev/pts/")) {
                        new ProcessBuilder("stty", "-F", terminal.toString(), "cols", String.valueOf(columns), "rows", String.valueOf(rows))
                                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
                                .waitFor(5, TimeUnit.SECONDS);
                    }
                } catch (IOException e) {
                    // the command ended meanwhile: nothing to resize
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    static final class ProcessHandleImpl implements ContainerHandle {
        private final Process process;
        private final Instant startedAt;
        private final ContainerSpec spec;
        private final Map<String, String> environment;
        private volatile Instant finishedAt;

        ProcessHandleImpl(Process process, Instant startedAt, ContainerSpec spec, Map<String, String> environment) {
            this.process = process;
            this.startedAt = startedAt;
            this.spec = spec;
            this.environment = environment;
            process.onExit().thenRun(() -> finishedAt = Instant.now());
        }

        @Override
        public String id() {
            return "process://" + process.pid();
        }

        @Override
        public java.util.OptionalLong pid() {
            return process.isAlive() ? java.util.OptionalLong.of(process.pid()) : java.util.OptionalLong.empty();
        }

        @Override
        public Instant startedAt() {
            return startedAt;
        }

        @Override
        public boolean isRunning() {
            return process.isAlive();
        }

        @Override
        public OptionalInt exitCode() {
            return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
        }

        @Override
        public Instant finishedAt() {
            return finishedAt != null ? finishedAt : (process.isAlive() ? null : Instant.now());
        }

        @Override
        public void stop(Duration grace) {
            List<ProcessHandle> family = new ArrayList<>(process.descendants().toList());
            signalGroup("TERM");
            process.destroy();
            try {
                if (!process.waitFor(Math.max(0, grace.toMillis()), TimeUnit.MILLISECONDS)) {
                    signalGroup("KILL");
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                signalGroup("KILL");
                process.destroyForcibly();
            }
            // the rest of the family got the same signal: give it a moment, then whatever is left
            // (double forks that left the group, say) dies with its container
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (family.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < until) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            family.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        }

        private void signalGroup(String signal) {
            if (!HAVE_SETSID || !process.isAlive()) {
                return;
            }
            try {
                new ProcessBuilder("kill", "-" + signal, "--", "-" + process.pid())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, TimeUnit.SECONDS);
            } catch (IOException e) {
                // the process.destroy() fallbacks still apply
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
