package dev.coracle.agent.logs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileInputStream;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Reads every container's output FIFOs on one thread, instead of a blocking reader thread per stream: each
 * pass reads what the kernel says is waiting in each pipe ({@link FileInputStream#available()} is
 * {@code FIONREAD} on a FIFO), so a read never blocks, and sleeps {@link #IDLE_MILLIS} when no pipe had
 * anything. A pipe holds 64 KiB: a container writing faster than that in one pause waits for the next pass, as
 * it would behind a busy Docker log driver.
 */
public final class LogPoller {

    private static final Logger log = LoggerFactory.getLogger(LogPoller.class);
    static final long IDLE_MILLIS = 50;
    private static final int CHUNK = 16 * 1024;

    private final List<Source> sources = new CopyOnWriteArrayList<>();
    private final byte[] buffer = new byte[CHUNK];
    private Thread thread;

    /** Starts reading {@code in} into {@code pump}; the caller ends it with {@link Source#drain} or {@link Source#detach}. */
    public synchronized Source add(FileInputStream in, LogPump pump, String name) {
        Source source = new Source(in, pump, name);
        sources.add(source);
        if (thread == null) {
            thread = new Thread(this::loop, "log-poller");
            thread.setDaemon(true);
            thread.start();
        }
        return source;
    }

    private void loop() {
        while (true) {
            boolean read = false;
            for (Source s : sources) {
                read |= s.poll(buffer);
            }
            if (!read) {
                try {
                    Thread.sleep(IDLE_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** One stream of one container. */
    public final class Source {
        private final FileInputStream in;
        private final LogPump pump;
        private final String name;
        private boolean closed;

        private Source(FileInputStream in, LogPump pump, String name) {
            this.in = in;
            this.pump = pump;
            this.name = name;
        }

        /** Reads what is waiting, without blocking; true when it read anything. */
        private synchronized boolean poll(byte[] into) {
            if (closed) {
                return false;
            }
            try {
                int waiting = in.available();
                if (waiting <= 0) {
                    return false;
                }
                int n = in.read(into, 0, Math.min(waiting, into.length));
                if (n > 0) {
                    pump.feed(into, n);
                    return true;
                }
                return false;
            } catch (IOException e) {
                log.debug("cannot read {}: {}", name, e.getMessage());
                close();
                return false;
            }
        }

        /**
         * The container has ended and every write end is closed: reads the rest of the pipe, writes an
         * unfinished last line, and stops.
         */
        public synchronized void drain() {
            byte[] into = new byte[CHUNK];
            // until the pipe is empty; a process that escaped the container's group and writes on does not hold the caller for long
            long until = System.nanoTime() + 2_000_000_000L;
            while (poll(into) && System.nanoTime() < until) {
                // read on
            }
            if (!closed) {
                pump.finish();
                close();
            }
        }

        /** The agent stops while the container runs: stop reading; what is still in the pipe is the next agent's. */
        public synchronized void detach() {
            close();
        }

        private void close() {
            closed = true;
            sources.remove(this);
            try {
                in.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }
}
