package dev.coracle.dashboard.logs;

import dev.coracle.dashboard.cluster.ApiProblem;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.http.HttpResponse;
import jakarta.annotation.PreDestroy;
import org.springframework.stereotype.Component;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Follows pods/log streams line by line on a bounded pool of readers (one per open log view and pod), closing the
 * API stream as soon as the page goes away.
 */
@Component
public class LogStreams {

    /** At most this many log streams are followed at once; more is refused rather than queued forever. */
    private static final int MAX_STREAMS = 200;

    private final ExecutorService readers = new ThreadPoolExecutor(0, MAX_STREAMS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
            r -> {
                Thread t = new Thread(r, "log-reader");
                t.setDaemon(true);
                return t;
            });

    /** A followed stream; {@link #close()} stops it. */
    public static final class Follow implements AutoCloseable {
        private final AtomicBoolean closed = new AtomicBoolean();
        private volatile InputStream body;

        @Override
        public void close() {
            if (closed.compareAndSet(false, true) && body != null) {
                try {
                    body.close();
                } catch (IOException e) {
                    // already gone
                }
            }
        }

        boolean closed() {
            return closed.get();
        }
    }

    /** The whole log at once (download, or a view that does not follow); an error Status becomes an ApiProblem. */
    public String read(KubernetesClient client, LogRequest request) {
        try {
            HttpResponse<String> r = client.getHttpClient().sendAsync(request.request(client, false), String.class).get(60, TimeUnit.SECONDS);
            if (!r.isSuccessful()) {
                throw problem(client, r.code(), r.body());
            }
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiProblem(0, "interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw ApiProblem.of(e.getCause() == null ? e : e.getCause());
        }
    }

    /**
     * Sends each line to {@code lines}; when the stream ends, {@code ended} gets null or why it ended badly (the API's
     * refusal, e.g. the container has not started or the server serves no logs).
     */
    public Follow follow(KubernetesClient client, LogRequest request, boolean follow, Consumer<String> lines, Consumer<String> ended) {
        Follow handle = new Follow();
        readers.execute(() -> {
            String problem = null;
            try {
                HttpResponse<InputStream> r = client.getHttpClient().sendAsync(request.request(client, follow), InputStream.class).get(60, TimeUnit.SECONDS);
                handle.body = r.body();
                if (handle.closed()) {
                    r.body().close();
                }
                if (!r.isSuccessful()) {
                    String body = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
                    throw problem(client, r.code(), body);
                }
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                    String line;
                    while (!handle.closed() && (line = reader.readLine()) != null) {
                        lines.accept(line);
                    }
                }
            } catch (Exception e) {
                if (!handle.closed()) {
                    problem = describe(e);
                }
            } finally {
                handle.close();
                ended.accept(problem);
            }
        });
        return handle;
    }

    static ApiProblem problem(KubernetesClient client, int code, String body) {
        String message = body;
        try {
            Status status = client.getKubernetesSerialization().unmarshal(body, Status.class);
            if (status != null && status.getMessage() != null) {
                message = status.getMessage();
            }
        } catch (RuntimeException e) {
            // not a Status: show the body as it came
        }
        return new ApiProblem(code, message);
    }

    private static String describe(Throwable t) {
        ApiProblem p = ApiProblem.of(t);
        return (p.code() == 0 ? "" : p.code() + ": ") + p.getMessage();
    }

    @PreDestroy
    void stop() {
        readers.shutdownNow();
    }
}
