package dev.coracle.agent.runtime;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A process as {@code /proc/<pid>/stat} shows it: its state letter, parent, session, CPU time (user +
 * system, clock ticks), resident pages, and its start time in clock ticks since boot, which together
 * with the pid names one process for good (pids are reused, start times not).
 */
public record ProcStat(long pid, char state, long parent, long session, long cpuTicks, long startTicks, long rssPages) {

    public static Optional<ProcStat> read(long pid) {
        // read into a small array: Files.readString sizes its buffer from the file's size, which /proc reports as 0, so
        // it allocates and copies 8 KiB for a line of ~300 bytes, on every look at every container
        byte[] buffer = new byte[STAT_MAX];
        int length = 0;
        try (FileInputStream in = new FileInputStream("/proc/" + pid + "/stat")) {
            int n;
            while (length < buffer.length && (n = in.read(buffer, length, buffer.length - length)) > 0) {
                length += n;
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return parse(new String(buffer, 0, length, StandardCharsets.ISO_8859_1));
    }

    /** A stat line is ~300 bytes: 52 numbers after a command name of at most 64 bytes. */
    private static final int STAT_MAX = 2048;

    /** One {@code stat} file's text; empty when it is not one. */
    public static Optional<ProcStat> parse(String stat) {
        try {
            // the command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'
            int close = stat.lastIndexOf(')');
            int space = stat.indexOf(' ');
            if (close < 0 || space < 0) {
                return Optional.empty();
            }
            long pid = Long.parseLong(stat, 0, space, 10);
            // fields from 3 (the state) on, as offsets into the text: field N is at starts[N - 3]
            int[] starts = new int[22];
            int[] ends = new int[22];
            int field = 0;
            int i = close + 1;
            int n = stat.length();
            while (field < starts.length) {
                while (i < n && Character.isWhitespace(stat.charAt(i))) {
                    i++;
                }
                if (i >= n) {
                    return Optional.empty();
                }
                starts[field] = i;
                while (i < n && !Character.isWhitespace(stat.charAt(i))) {
                    i++;
                }
                ends[field++] = i;
            }
            return Optional.of(new ProcStat(pid, stat.charAt(starts[0]), number(stat, starts, ends, 1), number(stat, starts, ends, 3),
                    number(stat, starts, ends, 11) + number(stat, starts, ends, 12), number(stat, starts, ends, 19),
                    number(stat, starts, ends, 21)));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static long number(String stat, int[] starts, int[] ends, int field) {
        return Long.parseLong(stat, starts[field], ends[field], 10);
    }

    /** Still the same process, and not a zombie waiting for its parent. */
    static boolean alive(long pid, long startTicks) {
        return read(pid).filter(s -> s.startTicks() == startTicks && s.state() != 'Z' && s.state() != 'X').isPresent();
    }
}
