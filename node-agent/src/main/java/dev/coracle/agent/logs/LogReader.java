package dev.coracle.agent.logs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Reads one container instance's log — its rotated files {@code N.log.<yyyyMMdd-HHmmss>} oldest
 * first, then the live {@code N.log} — as the kubelet serves it to {@code kubectl logs}: the CRI
 * prefix stripped (or the timestamp kept with {@code timestamps}), partial entries joined into their
 * line, {@code tailLines} counted across rotated files, {@code since} and {@code limitBytes} applied,
 * and with {@code follow} new lines streamed as they are written, through rotations, until the
 * container stops writing.
 */
public final class LogReader {

    /** The kubelet's RFC3339NanoFixed: always nine fraction digits. */
    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX")
            .withZone(ZoneOffset.UTC);
    private static final Pattern LOG_FILE = Pattern.compile("(\\d+)\\.log(\\..+)?");
    private static final long POLL_MILLIS = 100;

    private final List<Path> files;
    private final LogOptions options;
    private final OutputStream out;
    private final BooleanSupplier stillWriting;
    private long remaining;
    private final List<byte[]> pieces = new ArrayList<>();
    private java.time.Instant pieceTime;

    private LogReader(List<Path> files, LogOptions options, OutputStream out, BooleanSupplier stillWriting) {
        this.files = files;
        this.options = options;
        this.out = out;
        this.stillWriting = stillWriting;
        this.remaining = options.limitBytes() == null ? Long.MAX_VALUE : options.limitBytes();
    }

    /** The newest instance (restart count) of the container that has a log file, or -1. */
    public static int latestInstance(Path containerDir) {
        if (!Files.isDirectory(containerDir)) {
            return -1;
        }
        try (Stream<Path> entries = Files.list(containerDir)) {
            return entries.map(p -> LOG_FILE.matcher(p.getFileName().toString())).filter(Matcher::matches)
                    .mapToInt(m -> Integer.parseInt(m.group(1))).max().orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    /** The files of one instance, oldest first: the rotated ones in the order of their suffix, then {@code N.log}. */
    public static List<Path> files(Path containerDir, int instance) {
        List<Path> rotated = new ArrayList<>();
        if (Files.isDirectory(containerDir)) {
            try (Stream<Path> entries = Files.list(containerDir)) {
                entries.filter(p -> {
                    String name = p.getFileName().toString();
                    return name.startsWith(instance + ".log.") && !name.endsWith(".tmp");
                }).sorted(Comparator.comparing(LogReader::rotationOrder)).forEach(rotated::add);
            } catch (IOException e) {
                // no rotated files to add
            }
        }
        rotated.add(containerDir.resolve(instance + ".log"));
        return rotated;
    }

    /**
     * Rotated files by their time, then by the counter a writer adds when two rotations share a
     * second: {@code 0.log.20261127-080000} before {@code ...-080000-2} before {@code ...-080000-10}.
     */
    static String rotationOrder(Path file) {
        String name = file.getFileName().toString();
        String suffix = name.substring(name.indexOf(".log.") + 5);
        Matcher m = Pattern.compile("(\\d{8}-\\d{6})(?:-(\\d+))?(.*)").matcher(suffix);
        if (!m.matches()) {
            return suffix;
        }
        String counter = m.group(2) == null ? "" : m.group(2);
        return m.group(1) + "#" + "0".repeat(Math.max(0, 9 - counter.length())) + counter + m.group(3);
    }

    /**
     * Writes the log to {@code out}; returns when it is all written (or, following, once
     * {@code stillWriting} turns false and the rest is drained). A failing {@code out} (the client
     * went away) ends it with that IOException.
     */
    public static void read(List<Path> files, LogOptions options, OutputStream out, BooleanSupplier stillWriting) throws IOException {
        new LogReader(files, options, out, stillWriting).run();
    }

    private void run() throws IOException {
        if (options.tailLines() != null && options.tailLines() == 0 && !options.follow()) {
            return;
        }
        Position start = options.tailLines() == null ? new Position(0, 0) : tailStart(options.tailLines());
        int last = files.size() - 1;
        for (int i = start.file(); i < last; i++) {
            try (InputStream in = open(files.get(i), i == start.file() ? start.offset() : 0)) {
                if (!drain(new LineSource(in), true)) {
                    return;
                }
            } catch (java.nio.file.NoSuchFileException e) {
                // rotated away (compressed or removed) since we listed it
            }
        }
        Path live = files.get(last);
        if (!Files.exists(live) && !options.follow()) {
            return;
        }
        long offset = start.file() == last ? start.offset() : 0;
        while (true) {
            Object key = fileKey(live);
            if (key == null) {
                if (!options.follow() || !stillWriting.getAsBoolean()) {
                    return;
                }
                sleep();
                continue;
            }
            try (InputStream in = open(live, offset)) {
                LineSource source = new LineSource(in);
                if (!drain(source, !options.follow())) {
                    return;
                }
                if (!options.follow()) {
                    return;
                }
                while (true) {
                    if (!drain(source, false)) {
                        return;
                    }
                    Object now = fileKey(live);
                    if (now != null && !now.equals(key)) {
                        // rotated: the rest of the old file, then the new one from its start
                        if (!drain(source, true)) {
                            return;
                        }
                        offset = 0;
                        break;
                    }
                    if (!stillWriting.getAsBoolean()) {
                        drain(source, true);
                        return;
                    }
                    out.flush();
                    sleep();
                }
            }
        }
    }

    /** Emits the complete lines available now (and, at {@code eof}, a last unterminated one); false once the byte limit is reached. */
    private boolean drain(LineSource source, boolean eof) throws IOException {
        byte[] line;
        while ((line = source.next(eof)) != null) {
            if (!accept(CriLine.parse(line))) {
                return false;
            }
        }
        out.flush();
        return true;
    }

    private boolean accept(CriLine entry) throws IOException {
        if (pieces.isEmpty()) {
            pieceTime = entry.timestamp();
        }
        pieces.add(entry.content());
        if (entry.partial()) {
            return true;
        }
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        if (options.timestamps() && pieceTime != null) {
            line.writeBytes((TIMESTAMP.format(pieceTime) + " ").getBytes(StandardCharsets.US_ASCII));
        }
        pieces.forEach(line::writeBytes);
        line.write('\n');
        java.time.Instant time = pieceTime;
        pieces.clear();
        if (options.since() != null && time != null && time.isBefore(options.since())) {
            return true;
        }
        byte[] bytes = line.toByteArray();
        if (bytes.length >= remaining) {
            out.write(bytes, 0, (int) remaining);
            remaining = 0;
            out.flush();
            return false;
        }
        out.write(bytes);
        remaining -= bytes.length;
        return true;
    }

    private record Position(int file, long offset) {
    }

    /** Where the last {@code n} lines begin: counts complete (F) entries backwards, newest file first. */
    private Position tailStart(long n) throws IOException {
        long seen = 0;
        for (int i = files.size() - 1; i >= 0; i--) {
            byte[] bytes;
            try (InputStream in = open(files.get(i), 0)) {
                bytes = in.readAllBytes();
            } catch (java.nio.file.NoSuchFileException e) {
                continue;
            }
            List<int[]> lines = new ArrayList<>();
            int from = 0;
            for (int pos = 0; pos < bytes.length; pos++) {
                if (bytes[pos] == '\n') {
                    lines.add(new int[]{from, pos});
                    from = pos + 1;
                }
            }
            if (from < bytes.length) {
                lines.add(new int[]{from, bytes.length});
            }
            for (int k = lines.size() - 1; k >= 0; k--) {
                int[] range = lines.get(k);
                if (!CriLine.parse(java.util.Arrays.copyOfRange(bytes, range[0], range[1])).partial() && ++seen == n + 1) {
                    return new Position(i, Math.min(range[1] + 1L, bytes.length));
                }
            }
        }
        return new Position(0, 0);
    }

    private static InputStream open(Path file, long offset) throws IOException {
        InputStream in = Files.newInputStream(file);
        if (file.getFileName().toString().endsWith(".gz")) {
            in = new GZIPInputStream(in);
        }
        in.skipNBytes(offset);
        return in;
    }

    private static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    private static void sleep() throws IOException {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("log stream interrupted");
        }
    }

    /** Lines from a file that may still grow: an unterminated tail is held back until its newline comes (or the file is done). */
    private static final class LineSource {
        private final InputStream in;
        private final byte[] buffer = new byte[64 * 1024];
        private final ByteArrayOutputStream carry = new ByteArrayOutputStream();
        private int start;
        private int end;

        LineSource(InputStream in) {
            this.in = in;
        }

        byte[] next(boolean eof) throws IOException {
            while (true) {
                for (int i = start; i < end; i++) {
                    if (buffer[i] == '\n') {
                        carry.write(buffer, start, i - start);
                        start = i + 1;
                        byte[] line = carry.toByteArray();
                        carry.reset();
                        return line;
                    }
                }
                carry.write(buffer, start, end - start);
                start = end = 0;
                int n = in.read(buffer);
                if (n <= 0) {
                    if (eof && carry.size() > 0) {
                        byte[] line = carry.toByteArray();
                        carry.reset();
                        return line;
                    }
                    return null;
                }
                end = n;
            }
        }
    }
}
