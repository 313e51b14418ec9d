package dev.coracle.bench;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * The Kubernetes API over HTTPS as any client reaches it: the server URL, CA and bearer token from
 * the kubeconfig the server wrote. HTTP/1.1, so every watch is its own connection, as kubectl's are.
 */
final class Api {

    final String server;
    final String token;
    final SSLContext ssl;
    final HttpClient client;

    private Api(String server, String token, SSLContext ssl) {
        this.server = server;
        this.token = token;
        this.ssl = ssl;
        this.client = newClient();
    }

    static Api fromKubeconfig(Path kubeconfig) throws Exception {
        String server = null;
        String ca = null;
        String token = null;
        for (String line : Files.readAllLines(kubeconfig)) {
            String t = line.trim();
            if (t.startsWith("server:")) {
                server = t.substring(7).trim();
            } else if (t.startsWith("certificate-authority-data:")) {
                ca = t.substring("certificate-authority-data:".length()).trim();
            } else if (t.startsWith("token:")) {
                token = t.substring(6).trim();
            }
        }
        if (server == null || ca == null || token == null) {
            throw new IOException("kubeconfig incomplete: " + kubeconfig);
        }
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("coracle-ca", CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(ca))));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return new Api(server, token, ssl);
    }

    /** A client of its own (its own connection pool and selector thread). */
    HttpClient newClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ssl)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(server + path)).header("Authorization", "Bearer " + token)
                .header("Accept", "application/json").timeout(Duration.ofSeconds(120));
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> getBytes(String path) throws IOException, InterruptedException {
        return client.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return client.send(postRequest(path, json), HttpResponse.BodyHandlers.ofString());
    }

    CompletableFuture<HttpResponse<Void>> postAsync(String path, String json) {
        return client.sendAsync(postRequest(path, json), HttpResponse.BodyHandlers.discarding());
    }

    private HttpRequest postRequest(String path, String json) {
        return request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    /** Opens a watch stream; every line goes to {@code lines} as it arrives. */
    CompletableFuture<HttpResponse<Void>> watch(HttpClient on, String path, Flow.Subscriber<String> lines) {
        HttpRequest r = HttpRequest.newBuilder(URI.create(server + path)).header("Authorization", "Bearer " + token)
                .header("Accept", "application/json").GET().build();
        return on.sendAsync(r, HttpResponse.BodyHandlers.fromLineSubscriber(lines));
    }

    /** Creates a namespace; an existing one is fine. */
    void ensureNamespace(String name) throws IOException, InterruptedException {
        HttpResponse<String> r = post("/api/v1/namespaces",
                "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + name + "\"}}");
        if (r.statusCode() != 201 && r.statusCode() != 409) {
            throw new IOException("namespace " + name + ": " + r.statusCode() + " " + r.body());
        }
    }

    /** The resourceVersion of a list response (the first one in the body is the list's). */
    static long listRevision(String body) {
        var m = java.util.regex.Pattern.compile("\"resourceVersion\":\"(\\d+)\"").matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no resourceVersion in " + body.substring(0, Math.min(200, body.length())));
        }
        return Long.parseLong(m.group(1));
    }
}
