package dev.coracle.agent.runtime;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
            return new ProcessHandleImpl(process, Instant.now());
        } catch (IOException e) {
            throw new ContainerStartException("StartError", "cannot run " + spec.command().get(0) + ": " + e.getMessage());
        }
    }

    /** See {@link ProcessExec}: the command beside the container's main process, with its environment, directory and cgroup. */
    @Override
    public ExecProcess exec(ContainerHandle container, List<String> command, boolean tty) {
        long pid = container.isRunning() ? container.mainPid().orElse(-1) : -1;
        if (pid < 0) {
            throw new ContainerStartException("ContainerNotRunning", "container is not running");
        }
        return ProcessExec.start(pid, command, tty);
    }

    static final class ProcessHandleImpl implements ContainerHandle {
        private final Process process;
        private final Instant startedAt;
        private volatile Instant finishedAt;

        ProcessHandleImpl(Process process, Instant startedAt) {
            this.process = process;
            this.startedAt = startedAt;
            process.onExit().thenRun(() -> finishedAt = Instant.now());
        }

        @Override
        public String id() {
            return "process://" + process.pid();
        }

        @Override
        public java.util.OptionalLong mainPid() {
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
