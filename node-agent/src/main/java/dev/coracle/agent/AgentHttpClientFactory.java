package dev.coracle.agent;

import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;

import java.net.http.HttpClient;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fabric8's JDK HTTP client, on at most {@link #THREADS} threads that end after {@link #IDLE_SECONDS} idle. Its
 * default executor is an unbounded cached pool whose threads live a minute: a burst of pods (each status PATCH, each
 * TLS handshake of a new connection is a task on it) left some 15 threads behind in every agent. The executor only
 * runs the client's short, non-blocking steps (its selector thread does the I/O; the agent's own calls wait on their
 * own threads), so a few threads serve any number of requests.
 */
final class AgentHttpClientFactory extends JdkHttpClientFactory {

    private static final int THREADS = 4;
    private static final int IDLE_SECONDS = 5;

    @Override
    protected HttpClient.Builder createNewHttpClientBuilder() {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS, THREADS, IDLE_SECONDS, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "api-client-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
        return super.createNewHttpClientBuilder().executor(executor);
    }
}
