package dev.coracle.agent.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Small helpers for running a command beside a container's process: its cgroup, shell quoting. */
final class ExecCgroup {

    private ExecCgroup() {
    }

    /**
     * The {@code cgroup.procs} file of the process's cgroup (v2) when it is not the agent's own one
     * and the agent may write it; null otherwise (then the exec'd command stays in the agent's cgroup).
     */
    static String procsFileOf(long pid) {
        String theirs = unifiedPath(Path.of("/proc", String.valueOf(pid), "cgroup"));
        String ours = unifiedPath(Path.of("/proc/self/cgroup"));
        if (theirs == null || theirs.equals(ours)) {
            return null;
        }
        Path procs = Path.of("/sys/fs/cgroup" + theirs, "cgroup.procs");
        return Files.isWritable(procs) ? procs.toString() : null;
    }

    /** The cgroup v2 path ({@code 0::/path}) of a {@code /proc/PID/cgroup} file, or null. */
    static String unifiedPath(Path cgroupFile) {
        try {
            for (String line : Files.readAllLines(cgroupFile)) {
                if (line.startsWith("0::")) {
                    return line.substring(3);
                }
            }
        } catch (IOException e) {
            // gone, or not Linux
        }
        return null;
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
}
