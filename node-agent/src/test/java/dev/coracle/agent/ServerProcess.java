package dev.coracle.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
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

/** {@code ./coracle server} as a real process on a free port of 127.0.0.1 with its own data dir. */
final class ServerProcess implements AutoCloseable {

    private final Process process;
    private final Path dataDir;
    private final int port;
    private final Path log;

    private ServerProcess(Process process, Path dataDir, int port, Path log) {
        this.process = process;
        this.dataDir = dataDir;
        this.port = port;
        this.log = log;
    }

    static Path root() {
        return Path.of(System.getProperty("coracle.root", "..")).toAbsolutePath().normalize();
    }

    static ServerProcess start(Path dataDir, String... extraArgs) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path logDir = Path.of("target", "agent-test-logs").toAbsolutePath();
        Files.createDirectories(logDir);
        Path log = logDir.resolve("server-" + dataDir.toAbsolutePath().getParent().getFileName() + ".log");
        List<String> command = new java.util.ArrayList<>(List.of(root().resolve("coracle").toString(), "server",
                "--data-dir", dataDir.toString(), "--https-listen-port", String.valueOf(port), "--bind-address", "127.0.0.1",
                "--disable-agent"));
        command.addAll(List.of(extraArgs));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(root().toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().remove("KUBECONFIG");
        Process process = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        ServerProcess server = new ServerProcess(process, dataDir, port, log);
        server.awaitReady();
        return server;
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

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    Path dataDir() {
        return dataDir;
    }

    String url() {
        return "https://127.0.0.1:" + port;
    }

    Path kubeconfig() {
        return dataDir.resolve("kubeconfig.yaml");
    }

    String joinToken() {
        try {
            return Files.readString(dataDir.resolve("token")).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
