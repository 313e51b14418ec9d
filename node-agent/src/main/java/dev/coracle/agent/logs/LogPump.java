package dev.coracle.agent.logs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Copies one stream of a container (stdout or stderr) into its {@link CriLogWriter}, cutting it into
 * lines: a full line is an {@code F} record, a line longer than {@link CriLogWriter#MAX_LINE} is
 * split into {@code P} records, and what is left without a newline at the end of the stream is written
 * as containerd does, as a full record. Fed chunk by chunk ({@link LogPoller}) or reading a stream to its end.
 */
public final class LogPump implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(LogPump.class);

    private final InputStream in;
    private final String stream;
    private final CriLogWriter writer;
    /** The line so far; grows up to MAX_LINE, so a quiet container costs little. */
    private byte[] line = new byte[256];
    private int length;

    public LogPump(String stream, CriLogWriter writer) {
        this(null, stream, writer);
    }

    public LogPump(InputStream in, String stream, CriLogWriter writer) {
        this.in = in;
        this.stream = stream;
        this.writer = writer;
    }

    /** The next {@code n} bytes of the stream. */
    public void feed(byte[] chunk, int n) {
        try {
            for (int i = 0; i < n; i++) {
                byte b = chunk[i];
                if (b == '\n') {
                    writer.write(stream, line, 0, length, false);
                    length = 0;
                } else {
                    if (length == CriLogWriter.MAX_LINE) {
                        writer.write(stream, line, 0, length, true);
                        length = 0;
                    } else if (length == line.length) {
                        line = Arrays.copyOf(line, Math.min(CriLogWriter.MAX_LINE, line.length * 2));
                    }
                    line[length++] = b;
                }
            }
        } catch (IOException e) {
            log.debug("cannot write stream {} to {}: {}", stream, writer.file(), e.getMessage());
        }
    }

    /** The end of the stream: what is left without a newline is a line of its own. */
    public void finish() {
        if (length > 0) {
            try {
                writer.write(stream, line, 0, length, false);
            } catch (IOException e) {
                log.debug("cannot write stream {} to {}: {}", stream, writer.file(), e.getMessage());
            }
            length = 0;
        }
    }

    @Override
    public void run() {
        byte[] chunk = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(chunk)) > 0) {
                feed(chunk, n);
            }
        } catch (IOException e) {
            log.debug("log stream {} of {} ended: {}", stream, writer.file(), e.getMessage());
        }
        finish();
    }
}
