package dev.coracle.agent.probes;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ExecActionBuilder;
import io.fabric8.kubernetes.api.model.HTTPGetActionBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.TCPSocketActionBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Real probes against a real HTTP server, a real socket and real commands on 127.0.0.1. */
class ProberTest {

    private final Prober prober = new Prober();
    private HttpServer http;
    private int port;
    private final Container container = new ContainerBuilder().withName("web").addNewPort().withName("http").withContainerPort(0).endPort().build();

    @BeforeEach
    void serve() throws Exception {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/healthz", ex -> {
            boolean agent = ex.getRequestHeaders().getFirst("User-Agent").startsWith("kube-probe/");
            byte[] body = (agent ? "ok" : "who are you").getBytes();
            ex.sendResponseHeaders(agent ? 200 : 400, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        http.createContext("/broken", ex -> {
            byte[] body = "boom".getBytes();
            ex.sendResponseHeaders(500, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        http.start();
        port = http.getAddress().getPort();
        container.getPorts().get(0).setContainerPort(port);
    }

    @AfterEach
    void stop() {
        http.stop(0);
    }

    @Test
    void httpGetSucceedsOn2xxAndReportsOtherCodesAsTheKubeletDoes() {
        var ok = prober.httpGet(new HTTPGetActionBuilder().withPath("/healthz").withPort(new IntOrString("http")).build(), container,
                "127.0.0.1", Duration.ofSeconds(1));
        assertThat(ok.success()).as(ok.output()).isTrue();
        var broken = prober.httpGet(new HTTPGetActionBuilder().withPath("/broken").withPort(new IntOrString(port)).build(), container,
                "127.0.0.1", Duration.ofSeconds(1));
        assertThat(broken.success()).isFalse();
        assertThat(broken.output()).startsWith("HTTP probe failed with statuscode: 500");
    }

    @Test
    void tcpSocketSucceedsWhenAConnectionOpens() throws Exception {
        assertThat(prober.tcpSocket(new TCPSocketActionBuilder().withPort(new IntOrString(port)).build(), container, "127.0.0.1",
                Duration.ofSeconds(1)).success()).isTrue();
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        var refused = prober.tcpSocket(new TCPSocketActionBuilder().withPort(new IntOrString(closed)).build(), container, "127.0.0.1",
                Duration.ofSeconds(1));
        assertThat(refused.success()).isFalse();
        assertThat(refused.output()).isEqualTo("dial tcp 127.0.0.1:" + closed + ": connect: connection refused");
    }

    @Test
    void execUsesTheContainersEnvironmentAndTimesOut() {
        var ok = prober.exec(new ExecActionBuilder().withCommand("sh", "-c", "test \"$MODE\" = live").build(), Map.of("MODE", "live"),
                null, Duration.ofSeconds(2));
        assertThat(ok.success()).isTrue();
        var failed = prober.exec(new ExecActionBuilder().withCommand("sh", "-c", "echo not yet; exit 1").build(), Map.of(), null,
                Duration.ofSeconds(2));
        assertThat(failed.output().trim()).isEqualTo("not yet");
        long t0 = System.nanoTime();
        var slow = prober.exec(new ExecActionBuilder().withCommand("sleep", "5").build(), Map.of(), null, Duration.ofMillis(300));
        assertThat(slow.success()).isFalse();
        assertThat(slow.output()).startsWith("command timed out");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void thresholdsDecideTheResultAndReadinessStartsAsFailure() {
        ExecutorService executor = Executors.newCachedThreadPool();
        try {
            Probe probe = new ProbeBuilder().withPeriodSeconds(1).withFailureThreshold(2).withSuccessThreshold(2).build();
            ProbeState readiness = new ProbeState(ProbeState.Kind.READINESS, probe, Instant.now());
            assertThat(readiness.failed()).isTrue();
            readiness.apply(new ProbeResult(true, ""));
            assertThat(readiness.failed()).isTrue();
            readiness.apply(new ProbeResult(true, ""));
            assertThat(readiness.succeeded()).isTrue();
            readiness.apply(new ProbeResult(false, ""));
            assertThat(readiness.succeeded()).isTrue();
            readiness.apply(new ProbeResult(false, ""));
            assertThat(readiness.failed()).isTrue();

            ProbeState liveness = new ProbeState(ProbeState.Kind.LIVENESS, new Probe(), Instant.now());
            assertThat(liveness.succeeded()).isTrue();
            assertThat(liveness.timeout()).isEqualTo(Duration.ofSeconds(1));
            // the first run is due at once (no initialDelaySeconds); its result comes back on a later poll
            assertThat(liveness.poll(Instant.now(), executor, () -> new ProbeResult(false, "down"))).isNull();
            await().atMost(Duration.ofSeconds(5)).until(() -> liveness.poll(Instant.now(), executor, () -> new ProbeResult(false, "down")) != null);
            assertThat(liveness.succeeded()).isTrue(); // one failure of three
        } finally {
            executor.shutdownNow();
        }
    }
}
