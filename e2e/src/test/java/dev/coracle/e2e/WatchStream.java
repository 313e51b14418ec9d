package dev.coracle.e2e;

import dev.coracle.testsupport.ServerProcess;
import tools.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A Kubernetes watch read as a client reads it: one JSON event per line, recorded as
 * {@code TYPE resourceVersion} in arrival order, on a thread of its own until closed or the server ends it.
 */
public final class WatchStream implements AutoCloseable {

    /** One event as received. */
    public record Event(String type, long resourceVersion) {
        @Override
        public String toString() {
            return type + " " + resourceVersion;
        }
    }

    private final String name;
    private final InputStream body;
    private final List<Event> events = new ArrayList<>();
    private final Thread reader;
    private volatile String ended;

    private WatchStream(String name, InputStream body) {
        this.name = name;
        this.body = body;
        this.reader = new Thread(this::read, "watch-" + name);
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** {@code GET path} (a {@code ?watch=1} URL) on its own connection, read in the background. */
    public static WatchStream open(String name, ApiClient client, String path) {
        return new WatchStream(name, client.stream(path));
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8), 1 << 16)) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode event = ApiClient.JSON.readTree(line);
                String type = event.path("type").asString();
                if (type.equals("ERROR")) {
                    ended = "ERROR event: " + line;
                    return;
                }
                long rv = Long.parseLong(event.path("object").path("metadata").path("resourceVersion").asString());
                synchronized (events) {
                    events.add(new Event(type, rv));
                }
            }
            ended = "the server ended the stream";
        } catch (IOException | RuntimeException e) {
            ended = "read failed: " + e;
        }
    }

    public List<Event> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    public int size() {
        synchronized (events) {
            return events.size();
        }
    }

    /** Waits (at most {@code timeout}) for an event at {@code resourceVersion}; fails if the stream ends first. */
    public void awaitRevision(long resourceVersion, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (events) {
                if (!events.isEmpty() && events.get(events.size() - 1).resourceVersion() >= resourceVersion) {
                    return;
                }
            }
            if (ended != null) {
                throw new AssertionError("watch " + name + " ended after " + size() + " events, before revision "
                        + resourceVersion + ": " + ended);
            }
            ServerProcess.sleep(50);
        }
        throw new AssertionError("watch " + name + " did not reach revision " + resourceVersion + " within " + timeout
                + " (" + size() + " events, last " + last() + ")");
    }

    private Event last() {
        synchronized (events) {
            return events.isEmpty() ? null : events.get(events.size() - 1);
        }
    }

    @Override
    public void close() {
        ended = ended == null ? "closed" : ended;
        try {
            body.close();
        } catch (IOException e) {
            // closing anyway
        }
        reader.interrupt();
    }
}
