package dev.coracle.agent.logs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;

/**
 * Copies one stream of a container (stdout or stderr) into its {@link CriLogWriter}, cutting it into
 * lines: a full line is an {@code F} record, a line longer than {@link CriLogWriter#MAX_LINE} is
 * split into {@code P} records, and what is left without a newline at the end of the stream is written
 * as containerd does, as a full record.
 */
public final class LogPump implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(LogPump.class);

    private final InputStream in;
    private final String stream;
    private final CriLogWriter writer;

    public LogPump(InputStream in, String stream, CriLogWriter writer) {
        this.in = in;
        this.stream = stream;
        this.writer = writer;
    }

    @Override
    public void run() {
        byte[] line = new byte[CriLogWriter.MAX_LINE];
        byte[] chunk = new byte[8192];
        int length = 0;
        try (in) {
            int n;
            while ((n = in.read(chunk)) > 0) {
                for (int i = 0; i < n; i++) {
                    byte b = chunk[i];
                    if (b == '\n') {
                        writer.write(stream, line, 0, length, false);
                        length = 0;
                    } else {
                        if (length == line.length) {
                            writer.write(stream, line, 0, length, true);
                            length = 0;
                        }
                        line[length++] = b;
                    }
                }
            }
            if (length > 0) {
                writer.write(stream, line, 0, length, false);
            }
        } catch (IOException e) {
            log.debug("log stream {} of {} ended: {}", stream, writer.file(), e.getMessage());
        }
    }
}
