package dev.coracle.server.api;

import dev.coracle.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A watch's HTTP stream as clients rely on it. */
class WatchStreamTest {

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.embedded();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aWatchAnswersItsHeadersAtOnceEvenWithNoEventToSend() throws Exception {
        String path = "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=" + server.bean(ResourceService.class).currentRevision();
        // the request's timeout covers the wait for the headers: kube-apiserver sends them before any event
        HttpResponse<InputStream> watch = server.open(HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(10)));
        try (InputStream body = watch.body()) {
            assertThat(watch.statusCode()).isEqualTo(200);
            assertThat(watch.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
            assertThat(watch.headers().firstValue("Transfer-Encoding")).hasValue("chunked");
        }
    }
}
