package dev.coracle.agent.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A process as {@code /proc/<pid>/stat} shows it: its state letter, parent, session, CPU time (user +
 * system, clock ticks), resident pages, and its start time in clock ticks since boot, which together
 * with the pid names one process for good (pids are reused, start times not).
 */
public record ProcStat(long pid, char state, long parent, long session, long cpuTicks, long startTicks, long rssPages) {

    public static Optional<ProcStat> read(long pid) {
        try {
            return parse(Files.readString(Path.of("/proc", String.valueOf(pid), "stat")));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** One {@code stat} file's text; empty when it is not one. */
    public static Optional<ProcStat> parse(String stat) {
        try {
            // the command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'
            int close = stat.lastIndexOf(')');
            String[] f = stat.substring(close + 2).trim().split("\\s+");
            long pid = Long.parseLong(stat.substring(0, stat.indexOf(' ')).trim());
            // state is field 3, so field N is f[N - 3]
            return Optional.of(new ProcStat(pid, f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[3]),
                    Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[19]), Long.parseLong(f[21])));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Still the same process, and not a zombie waiting for its parent. */
    static boolean alive(long pid, long startTicks) {
        return read(pid).filter(s -> s.startTicks() == startTicks && s.state() != 'Z' && s.state() != 'X').isPresent();
    }
}
