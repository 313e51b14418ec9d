package dev.coracle.e2e;

import dev.coracle.testsupport.Https;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Raw Kubernetes API calls over HTTPS with a kubeconfig's server, CA and bearer token: what a client
 * library does underneath, without one. One instance shares one {@link HttpClient}, so the threads
 * using it share its small pool of keep-alive connections.
 */
public final class ApiClient {

    static final JsonMapper JSON = new JsonMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final Https.Kubeconfig kubeconfig;
    private final HttpClient http;

    public ApiClient(Path kubeconfigFile) {
        this.kubeconfig = Https.Kubeconfig.read(kubeconfigFile);
        this.http = Https.client(kubeconfig);
    }

    public Response get(String path) {
        return send("GET", path, null, null);
    }

    public Response post(String path, String json) {
        return send("POST", path, json, "application/json");
    }

    public Response mergePatch(String path, String json) {
        return send("PATCH", path, json, "application/merge-patch+json");
    }

    public Response send(String method, String path, String body, String contentType) {
        HttpRequest.Builder request = request(path).timeout(REQUEST_TIMEOUT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(method + " " + path, response.statusCode(), response.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Opens a streaming request (a watch) on a connection of its own; the caller closes the stream. */
    public InputStream stream(String path) {
        HttpClient own = Https.client(kubeconfig);
        try {
            HttpResponse<InputStream> response = own.send(request(path).build(), HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                String body;
                try (InputStream in = response.body()) {
                    body = new String(in.readAllBytes());
                }
                throw new AssertionError("GET " + path + " answered " + response.statusCode() + ": " + body);
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException("GET " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(kubeconfig.server() + path))
                .header("Authorization", "Bearer " + kubeconfig.token())
                .header("Accept", "application/json");
    }

    /** A response: status code and body, with the body parsed on demand. */
    public record Response(String request, int status, String body) {

        public JsonNode json() {
            return JSON.readTree(body);
        }

        /** Asserts the status and returns the parsed body. */
        public JsonNode expect(int expected) {
            if (status != expected) {
                throw new AssertionError(request + " answered " + status + " (expected " + expected + "): " + body);
            }
            return json();
        }
    }
}
