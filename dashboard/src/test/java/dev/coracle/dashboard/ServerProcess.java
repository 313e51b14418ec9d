package dev.coracle.dashboard;

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
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** {@code ./coracle server} as a real process on 127.0.0.1 with its own data dir (after node-agent's test helper). */
final class ServerProcess implements AutoCloseable {

    private final Path dataDir;
    private final int port;
    private final Path log;
    private Process process;

    private ServerProcess(Path dataDir, int port, Path log) {
        this.dataDir = dataDir;
        this.port = port;
        this.log = log;
    }

    static Path root() {
        return Path.of(System.getProperty("coracle.root", "..")).toAbsolutePath().normalize();
    }

    static ServerProcess start(Path dataDir, int port) throws Exception {
        Path logDir = Path.of("target", "dashboard-test-logs").toAbsolutePath();
        Files.createDirectories(logDir);
        ServerProcess server = new ServerProcess(dataDir, port, logDir.resolve("server.log"));
        server.restart();
        return server;
    }

    /** (Re)starts the process on the same data dir and port. */
    void restart() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(List.of(root().resolve("coracle").toString(), "server",
                "--disable-agent", "--data-dir", dataDir.toString(), "--https-listen-port", String.valueOf(port),
                "--bind-address", "127.0.0.1"))
                .directory(root().toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().remove("KUBECONFIG");
        process = builder.start();
        Process started = process;
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
        awaitReady();
    }

    private void awaitReady() throws Exception {
        HttpClient http = trustAll();
        long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited: " + Files.readString(log));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/healthz"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && Files.exists(kubeconfig()) && Files.exists(dataDir.resolve("token"))) {
                    return;
                }
            } catch (IOException e) {
                // not yet listening
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("server not ready: " + Files.readString(log));
    }

    int port() {
        return port;
    }

    String url() {
        return "https://127.0.0.1:" + port;
    }

    Path kubeconfig() {
        return dataDir.resolve("kubeconfig.yaml");
    }

    String joinToken() {
        return read(dataDir.resolve("token"));
    }

    String adminToken() {
        return read(dataDir.resolve("cred/admin.token"));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** GET with the admin token; the status code (for "is metrics.k8s.io served here?"). */
    int get(String path) throws Exception {
        return trustAll().send(HttpRequest.newBuilder(URI.create(url() + path)).header("Authorization", "Bearer " + adminToken())
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    static HttpClient trustAll() throws Exception {
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
    }

    /** Stops the process (SIGTERM, then SIGKILL); {@link #restart()} brings it back. */
    void stop() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
