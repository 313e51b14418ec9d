package dev.coracle.agent.logs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * One container run's log file in the CRI format the kubelet reads ({@code kubectl logs}):
 * {@code 2026-11-27T08:00:00.123456789Z stdout F line}, one record a line, {@code P} for a piece
 * of a line longer than {@link #MAX_LINE} (containerd's default) or cut by the end of the stream.
 * Both streams of the container write here, each record whole. When the file passes
 * {@code maxSize} it is renamed to {@code <file>.<yyyyMMdd-HHmmss>} (with {@code -N} if that
 * name is taken within the same second) and a new one started, keeping at most {@code maxFiles}
 * files (the current one included) as the kubelet's {@code containerLogMaxFiles} does.
 */
public final class CriLogWriter implements AutoCloseable {

    public static final int MAX_LINE = 16 * 1024;
    static final DateTimeFormatter ROTATED = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final Path file;
    private final long maxSize;
    private final int maxFiles;
    private final Clock clock;
    private OutputStream out;
    private long size;

    public CriLogWriter(Path file, long maxSize, int maxFiles) throws IOException {
        this(file, maxSize, maxFiles, Clock.systemUTC());
    }

    CriLogWriter(Path file, long maxSize, int maxFiles, Clock clock) throws IOException {
        this.file = file;
        this.maxSize = maxSize;
        this.maxFiles = Math.max(1, maxFiles);
        this.clock = clock;
        Files.createDirectories(file.getParent());
        open();
    }

    public Path file() {
        return file;
    }

    /** Writes one record: {@code partial} when {@code line} (without its newline) is not the end of a line. */
    public synchronized void write(String stream, byte[] line, int offset, int length, boolean partial) throws IOException {
        if (out == null) {
            return;
        }
        byte[] head = (LogReader.TIMESTAMP.format(now()) + " " + stream + (partial ? " P " : " F ")).getBytes(StandardCharsets.US_ASCII);
        out.write(head);
        out.write(line, offset, length);
        out.write('\n');
        out.flush();
        size += head.length + length + 1;
        if (maxSize > 0 && size >= maxSize) {
            rotate();
        }
    }

    private Instant now() {
        return clock.instant();
    }

    private void open() throws IOException {
        out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        size = Files.size(file);
    }

    private void rotate() throws IOException {
        out.close();
        String base = file.getFileName() + "." + ROTATED.format(now());
        Path target = file.resolveSibling(base);
        for (int n = 1; Files.exists(target); n++) {
            target = file.resolveSibling(base + "-" + n);
        }
        Files.move(file, target);
        List<Path> rotated = rotatedFiles();
        // the current file counts towards maxFiles, so maxFiles - 1 rotated ones stay
        for (int i = 0; i < rotated.size() - (maxFiles - 1); i++) {
            Files.deleteIfExists(rotated.get(i));
        }
        open();
    }

    /** This file's rotated predecessors, oldest first. */
    List<Path> rotatedFiles() throws IOException {
        String prefix = file.getFileName() + ".";
        List<Path> rotated = new ArrayList<>();
        try (Stream<Path> siblings = Files.list(file.getParent())) {
            siblings.filter(p -> p.getFileName().toString().startsWith(prefix)).forEach(rotated::add);
        }
        rotated.sort(Comparator.comparing(LogReader::rotationOrder));
        return rotated;
    }

    @Override
    public synchronized void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // nothing left to save
            }
            out = null;
        }
    }
}
