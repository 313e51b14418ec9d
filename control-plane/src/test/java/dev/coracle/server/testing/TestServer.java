package dev.coracle.server.testing;

import dev.coracle.server.CoracleServer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A real control plane in this JVM, started exactly as {@code ./coracle server} starts it, on a
 * random port, with the embedded store or a fresh PostgreSQL database.
 */
public final class TestServer implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    private final Path dataDir;
    private final int port;

    private TestServer(ConfigurableApplicationContext context, Path dataDir) {
        this.context = context;
        this.dataDir = dataDir;
        this.port = ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    public static TestServer embedded() {
        return start(null);
    }

    public static TestServer postgres() {
        return start(TestDatabases.newPostgresDatabase());
    }

    public static TestServer start(String datastore, String... extra) {
        try {
            Path dataDir = Files.createTempDirectory("coracle-test-");
            return start(dataDir, datastore, extra);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static TestServer start(Path dataDir, String datastore, String... extra) {
        List<String> args = new ArrayList<>(List.of("--data-dir", dataDir.toString(), "--https-listen-port", "0",
                "--bind-address", "127.0.0.1", "--spring.main.banner-mode=off", "--logging.level.root=WARN"));
        if (datastore != null) {
            args.add("--datastore-endpoint");
            args.add(datastore);
        }
        args.addAll(List.of(extra));
        return new TestServer(CoracleServer.start(args.toArray(String[]::new)), dataDir);
    }

    /** Waits (up to 30 s) until the API serves the built-in {@code default} namespace; returns this server. */
    public TestServer awaitReady() {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> send("GET", "/api/v1/namespaces/default", null, null).statusCode() == 200);
        return this;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "https://127.0.0.1:" + port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path kubeconfig() {
        return dataDir.resolve("kubeconfig.yaml");
    }

    public String adminToken() {
        try {
            return Files.readString(dataDir.resolve("cred/admin.token")).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    /** A Fabric8 client configured from the kubeconfig the server wrote, as a user's would be. */
    public KubernetesClient client() {
        try {
            Config config = Config.fromKubeconfig(Files.readString(kubeconfig()));
            config.setRequestRetryBackoffLimit(0);
            return new KubernetesClientBuilder().withConfig(config).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Raw HTTP with the admin token, for what typed clients never send (bad input, odd media types). */
    public HttpResponse<String> send(String method, String path, String contentType, byte[] body) {
        return send(method, path, contentType, body, adminToken());
    }

    public HttpResponse<String> send(String method, String path, String contentType, byte[] body, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return sendAsIs(request);
    }

    /** Raw HTTP with the admin token, for a request that sets its own headers ({@code Accept}, {@code If-None-Match}). */
    public HttpResponse<String> send(HttpRequest.Builder request) {
        return sendAsIs(request.header("Authorization", "Bearer " + adminToken()));
    }

    /** Raw HTTP with the admin token, answered as soon as the headers are in: for streams such as watches. */
    public HttpResponse<java.io.InputStream> open(HttpRequest.Builder request) throws IOException, InterruptedException {
        return HTTP.send(request.header("Authorization", "Bearer " + adminToken()).build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    private static HttpResponse<String> sendAsIs(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        context.close();
    }

    private static final HttpClient HTTP = insecureClient();

    private static HttpClient insecureClient() {
        try {
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, new TrustManager[]{new X509TrustManager() {
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return HttpClient.newBuilder().sslContext(ssl).build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
