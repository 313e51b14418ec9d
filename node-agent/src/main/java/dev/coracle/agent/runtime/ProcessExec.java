package dev.coracle.agent.runtime;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code kubectl exec} for the process runtime: the command runs on the host beside the container's
 * main process, with that process's environment ({@code /proc/PID/environ}) and working directory
 * ({@code /proc/PID/cwd}), so a container found again after an agent restart is served alike; in its
 * cgroups (v1 or v2) when it has its own. A tty is a pseudo-terminal made by util-linux
 * {@code script}, resized with {@code stty} on it.
 */
final class ProcessExec {

    private ProcessExec() {
    }

    static ExecProcess start(long containerPid, List<String> command, boolean tty) {
        if (command == null || command.isEmpty()) {
            throw new ContainerStartException("InvalidCommand", "no command given");
        }
        Map<String, String> environment = environment(containerPid);
        List<String> argv = new ArrayList<>();
        List<String> cgroupProcs = cgroupProcsFiles(containerPid);
        if (!cgroupProcs.isEmpty()) {
            // the shell joins the container's cgroups, then becomes the command
            argv.addAll(List.of("sh", "-c", "n=$1; shift; while [ \"$n\" -gt 0 ]; do echo $$ > \"$1\" 2>/dev/null; shift; "
                    + "n=$((n - 1)); done; exec \"$@\"", "coracle-exec", String.valueOf(cgroupProcs.size())));
            argv.addAll(cgroupProcs);
        }
        if (tty) {
            argv.addAll(List.of("script", "-q", "-f", "-e", "-c", shellQuote(command), "/dev/null"));
        } else {
            argv.addAll(command);
        }
        ProcessBuilder builder = new ProcessBuilder(argv);
        builder.environment().clear();
        builder.environment().putAll(environment);
        builder.environment().putIfAbsent("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        if (tty) {
            builder.environment().putIfAbsent("TERM", "xterm");
            builder.environment().put("SHELL", "/bin/sh");
        }
        try {
            File cwd = Path.of("/proc", String.valueOf(containerPid), "cwd").toRealPath().toFile();
            builder.directory(cwd);
        } catch (IOException e) {
            // not readable: the agent's own directory
        }
        try {
            return new ScriptExec(builder.start(), tty);
        } catch (IOException e) {
            throw new ContainerStartException("StartError", "cannot run " + command.get(0) + ": " + e.getMessage());
        }
    }

    /** The process's environment as it was started with. */
    static Map<String, String> environment(long pid) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            String raw = new String(Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "environ")), StandardCharsets.UTF_8);
            for (String entry : raw.split("\0")) {
                int eq = entry.indexOf('=');
                if (eq > 0) {
                    out.put(entry.substring(0, eq), entry.substring(eq + 1));
                }
            }
        } catch (IOException e) {
            throw new ContainerStartException("ContainerNotRunning", "cannot read the container's environment: " + e.getMessage());
        }
        return out;
    }

    /** The {@code cgroup.procs} files of the container's own cgroups (v1 and v2) that the agent may write. */
    static List<String> cgroupProcsFiles(long pid) {
        return ContainerCgroups.of(pid).values().stream().distinct().map(dir -> dir.resolve("cgroup.procs"))
                .filter(Files::isWritable).map(Path::toString).toList();
    }

    /** One POSIX shell word per argument, for {@code script -c}, which hands its command to a shell. */
    static String shellQuote(List<String> argv) {
        StringBuilder out = new StringBuilder();
        for (String arg : argv) {
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append('\'').append(arg.replace("'", "'\\''")).append('\'');
        }
        return out.toString();
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
}
