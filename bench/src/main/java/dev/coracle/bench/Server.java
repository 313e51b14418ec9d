package dev.coracle.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One control-plane process, started as a user starts it: {@code ./coracle server --data-dir D
 * --datastore-endpoint postgres://... --https-listen-port P}, in its own JVM with the launcher's defaults.
 */
final class Server implements AutoCloseable {

    final Process process;
    final long pid;
    final Path dataDir;
    final Path log;
    final Api api;
    final List<String> command;

    private Server(Process process, Path dataDir, Path log, Api api, List<String> command) {
        this.process = process;
        this.pid = process.pid();
        this.dataDir = dataDir;
        this.log = log;
        this.api = api;
        this.command = command;
    }

    /** A free port of 127.0.0.1: from {@code BENCH_PORTS} ("17000-17999") when set, for a machine whose users split the ports, else any. */
    private static int freePort() throws IOException {
        String range = System.getenv("BENCH_PORTS");
        int from = 0;
        int to = 0;
        if (range != null && range.matches("\\d+-\\d+")) {
            from = Integer.parseInt(range.split("-")[0]);
            to = Integer.parseInt(range.split("-")[1]);
        }
        for (int candidate = from; candidate <= to; candidate++) {
            try (ServerSocket s = new ServerSocket(candidate, 1, java.net.InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException busy) {
                if (candidate == to) {
                    throw busy;
                }
            }
        }
        throw new IOException("no free port in " + range);
    }

    static Server start(Path repo, Path workDir, String datastoreEndpoint) throws Exception {
        Path dataDir = workDir.resolve("data");
        Files.createDirectories(workDir);
        int port = freePort();
        List<String> command = List.of(repo.resolve("coracle").toString(), "server", "--data-dir", dataDir.toString(),
                "--datastore-endpoint", datastoreEndpoint, "--https-listen-port", Integer.toString(port), "--disable-agent");
        Path log = workDir.resolve("server.log");
        Process process = new ProcessBuilder(command).directory(repo.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        Path kubeconfig = dataDir.resolve("kubeconfig.yaml");
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited with " + process.exitValue() + "; see " + log);
            }
            if (Files.exists(kubeconfig)) {
                try {
                    Api api = Api.fromKubeconfig(kubeconfig);
                    HttpResponse<String> r = api.get("/version");
                    if (r.statusCode() == 200) {
                        return new Server(process, dataDir, log, api, command);
                    }
                } catch (IOException | RuntimeException e) {
                    // not listening yet
                }
            }
            Thread.sleep(250);
        }
        process.destroyForcibly();
        throw new IllegalStateException("server did not become ready in 180 s; see " + log);
    }

    /** Resident set size of the server JVM in MiB, from /proc/PID/status. */
    double rssMiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        throw new IOException("no VmRSS for " + pid);
    }

    /** Asks the server JVM for a full GC (jcmd PID GC.run), as an operator would before reading memory. */
    void gc() throws Exception {
        jcmd("GC.run");
    }

    /** The header and the {@code top} biggest classes of {@code jcmd GC.class_histogram} (live objects). */
    String histogram(int top) throws Exception {
        String[] lines = jcmd("GC.class_histogram").split("\n");
        StringBuilder out = new StringBuilder();
        int kept = 0;
        for (String line : lines) {
            if (line.trim().startsWith("num") || line.trim().startsWith("---") || (line.trim().matches("\\d+:.*") && kept++ < top)
                    || line.trim().startsWith("Total")) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    /** "garbage-first heap total 123456K, used 45678K" as reported by jcmd GC.heap_info. */
    String heapInfo() throws Exception {
        String out = jcmd("GC.heap_info");
        for (String line : out.split("\n")) {
            if (line.contains("total") && line.contains("used")) {
                return line.trim();
            }
        }
        return out.trim();
    }

    /** The committed lines of {@code jcmd VM.native_memory summary}, or null when the JVM runs without NMT. */
    String nativeMemory() throws Exception {
        String out = jcmd("VM.native_memory", "summary");
        if (!out.contains("committed=")) {
            return null;
        }
        StringBuilder lines = new StringBuilder();
        for (String line : out.split("\n")) {
            String t = line.trim();
            if ((t.startsWith("Total:") || t.startsWith("-")) && t.contains("committed=")) {
                lines.append(t.replaceAll("\\s+", " ")).append('\n');
            }
        }
        return lines.toString();
    }

    /** Starts a JFR recording of the server (the "profile" settings: CPU samples every 10 ms). */
    void jfrStart(String name) throws Exception {
        jcmd("JFR.start", "name=" + name, "settings=profile");
    }

    Path jfrStop(String name) throws Exception {
        Path file = dataDir.getParent().resolve(name + ".jfr");
        jcmd("JFR.stop", "name=" + name, "filename=" + file);
        return file;
    }

    private String jcmd(String... what) throws Exception {
        List<String> command = new ArrayList<>(List.of("jcmd", Long.toString(pid)));
        command.addAll(List.of(what));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return out;
    }

    String commandLine() {
        List<String> shown = new ArrayList<>(command);
        shown.set(0, "./coracle");
        return String.join(" ", shown).replaceAll("postgres://([^:]+):[^@]+@", "postgres://$1:***@");
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static void sleep(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
    }
}
