package dev.coracle.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * port and (optionally) PostgreSQL endpoint. {@link Builder#start} returns once {@code /healthz} answers
 * "ok" and the kubeconfig and join token are written; {@link #close} stops it and what it started
 * (SIGTERM, then SIGKILL), and a JVM shutdown hook does the same if the test run itself is killed.
 * Its output goes to {@code target/server-logs/NAME.log}; failures quote the end of it.
 */
public final class ServerProcess implements AutoCloseable {

    // generous: on a busy shared machine a cold server JVM can take minutes
    private static final Duration START_TIMEOUT = Duration.ofSeconds(300);
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
            // one log a run: a restart appends to it, a new run starts it afresh
            Files.deleteIfExists(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code ./coracle server --data-dir DATA_DIR --disable-agent} on 127.0.0.1, configured further by
     * the builder: the control plane alone, so the tests decide which nodes exist. The name names the log.
     */
    public static Builder server(String name, Path dataDir) {
        return new Builder(name, dataDir);
    }

    /** How to start one server: the launcher's flags, and the JVM options it passes through (CORACLE_JAVA_OPTS). */
    public static final class Builder {
        private final String name;
        private final Path dataDir;
        private final List<String> flags = new ArrayList<>();
        private int port;
        private String javaOpts;

        private Builder(String name, Path dataDir) {
            this.name = name;
            this.dataDir = dataDir;
        }

        /** {@code --https-listen-port}; without it, a free port the kernel picks. */
        public Builder port(int port) {
            this.port = port;
            return this;
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
            int listenPort = port != 0 ? port : Ports.free();
            List<String> args = new ArrayList<>(List.of("--data-dir", dataDir.toString(),
                    "--https-listen-port", String.valueOf(listenPort), "--bind-address", "127.0.0.1", "--disable-agent"));
            args.addAll(flags);
            ServerProcess server = new ServerProcess(name, dataDir, listenPort, args, javaOpts);
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

    /** The checkout: the build passes it as {@code coracle.root}; tests run in a module directory below it. */
    public static Path root() {
        return Path.of(System.getProperty("coracle.root", "..")).toAbsolutePath().normalize();
    }

    private static Path logDir() {
        Path dir = Path.of("target", "server-logs").toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
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
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = builder.environment();
        // the developer's own cluster must not leak into the server (or anything it runs)
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

    /** Waits (bounded) until {@code /healthz} says "ok" and {@code kubeconfig.yaml} and the join token exist. */
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
                if (response.statusCode() == 200 && response.body().equals("ok")
                        && Files.exists(kubeconfig()) && Files.exists(joinTokenFile())) {
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

    /** SIGTERM (a graceful shutdown), SIGKILL if it does not end in time. */
    public void stop() {
        if (process == null) {
            return;
        }
        kill(process);
        forget();
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
        forget();
    }

    private void forget() {
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
        // the launcher's children, listed before it ends: they would be re-parented and lost to us afterwards
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

    /** The token agents join with ({@code --token}). */
    public String joinToken() {
        return read(joinTokenFile());
    }

    /** The bearer token of the kubeconfig's admin user. */
    public String adminToken() {
        return read(dataDir.resolve("cred/admin.token"));
    }

    private Path joinTokenFile() {
        return dataDir.resolve("token");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    /** {@link Thread#sleep} for polling loops, an interrupt failing the test. */
    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
