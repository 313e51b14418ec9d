package dev.coracle.agent.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A process as {@code /proc/<pid>/stat} shows it: its state letter and its start time in clock ticks
 * since boot, which together with the pid names one process for good (pids are reused, start times not).
 */
record ProcStat(long pid, char state, long startTicks) {

    static Optional<ProcStat> read(long pid) {
        try {
            String stat = String.join("\n", Files.readAllLines(Path.of("/proc", String.valueOf(pid), "stat")));
            // the command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'
            String[] rest = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return Optional.of(new ProcStat(pid, rest[0].charAt(0), Long.parseLong(rest[19])));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Still the same process, and not a zombie waiting for its parent. */
    static boolean alive(long pid, long startTicks) {
        return read(pid).filter(s -> s.startTicks() == startTicks && s.state() != 'Z' && s.state() != 'X').isPresent();
    }
}
