package dev.coracle.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./coracle server} as a real OS process, the way a user starts it: its own data dir, HTTPS
 * port and (optionally) PostgreSQL endpoint. {@link #start} returns once {@code /healthz} answers
 * "ok" and the kubeconfig is written; {@link #close} stops it (SIGTERM, then SIGKILL), and a JVM
 * shutdown hook does the same if the test run itself is killed.
 */
public final class ServerProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final Path dataDir;
    private final int port;
    private final List<String> args;
    private final Path log;
    private final String javaOpts;
    private Process process;
    private Thread shutdownHook;

    private ServerProcess(String name, Path dataDir, int port, List<String> args, String javaOpts) {
        this.name = name;
        this.javaOpts = javaOpts;
        this.dataDir = dataDir;
        this.port = port;
        this.args = args;
        this.log = logDir().resolve(name + ".log");
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code ./coracle server --data-dir DATA_DIR --disable-agent} on a free port of 127.0.0.1, configured
     * further by the builder: the control plane alone, so the tests decide which nodes exist.
     */
    public static Builder server(String name, Path dataDir) {
        return new Builder(name, dataDir);
    }

    /** How to start one server: the launcher's flags, and the JVM options it passes through (CORACLE_JAVA_OPTS). */
    public static final class Builder {
        private final String name;
        private final Path dataDir;
        private final List<String> flags = new ArrayList<>();
        private String javaOpts;

        private Builder(String name, Path dataDir) {
            this.name = name;
            this.dataDir = dataDir;
        }

        /** {@code --datastore-endpoint postgres://...}; without it the server uses its embedded store. */
        public Builder datastore(String endpoint) {
            return flags("--datastore-endpoint", endpoint);
        }

        public Builder flags(String... more) {
            flags.addAll(List.of(more));
            return this;
        }

        public Builder javaOpts(String opts) {
            this.javaOpts = opts;
            return this;
        }

        /** Starts the process without waiting; pair with {@link #awaitReady()} to start several at once. */
        public ServerProcess launch() {
            int port = freePort();
            List<String> args = new ArrayList<>(List.of("--data-dir", dataDir.toString(),
                    "--https-listen-port", String.valueOf(port), "--bind-address", "127.0.0.1", "--disable-agent"));
            args.addAll(flags);
            ServerProcess server = new ServerProcess(name, dataDir, port, args, javaOpts);
            server.spawn();
            return server;
        }

        /** Starts the server and waits until it is ready, stopping it again if it never gets there. */
        public ServerProcess start() {
            ServerProcess server = launch();
            try {
                return server.awaitReady();
            } catch (RuntimeException e) {
                server.stop();
                throw e;
            }
        }
    }

    public static Path root() {
        return Path.of(System.getProperty("coracle.root", "..")).toAbsolutePath().normalize();
    }

    static Path logDir() {
        Path dir = Path.of("target", "e2e-logs").toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void spawn() {
        List<String> command = new ArrayList<>();
        command.add(root().resolve("coracle").toString());
        command.add("server");
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(root().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> env = builder.environment();
        env.remove("KUBECONFIG");
        if (javaOpts != null) {
            env.put("CORACLE_JAVA_OPTS", javaOpts);
        }
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        Process started = process;
        shutdownHook = new Thread(() -> kill(started), "stop-" + name);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Waits (bounded) until {@code /healthz} says "ok" and {@code kubeconfig.yaml} exists. */
    public ServerProcess awaitReady() {
        HttpClient http = Https.trustAllClient();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + logTail());
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url() + "/healthz"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().equals("ok") && Files.exists(kubeconfig())) {
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(250);
        }
        throw new IllegalStateException(name + " did not answer /healthz within " + START_TIMEOUT + ":\n" + logTail());
    }

    /** Stops the process and starts it again with the same flags (same data dir, same port). */
    public void restart() {
        stop();
        spawn();
        awaitReady();
    }

    public void stop() {
        if (process == null) {
            return;
        }
        kill(process);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        process = null;
    }

    /** SIGKILL, as a crashed machine: no graceful shutdown, no lease released. */
    public void killHard() {
        if (process == null) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        process = null;
    }

    @Override
    public void close() {
        stop();
    }

    private static void kill(Process process) {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
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

    public String name() {
        return name;
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
