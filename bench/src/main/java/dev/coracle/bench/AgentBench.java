package dev.coracle.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The node agent's benchmarks (issue 4): pod startup latency (create → {@code Running} seen through a watch, as
 * the Kubernetes pod-startup SLI measures it) for {@code pods} pods, and the agent's resident memory with
 * {@code memory-pods} of them running. A server ({@code ./coracle server --disable-agent}) and an agent
 * ({@code ./coracle agent}) are started as a user starts them, each its own process with the launcher's JVM options.
 * Baselines from the same run: the same commands started directly as processes (no API, no agent), and the
 * idle agent's memory (after {@code warmup} pods ran and were deleted). Appends a section to bench/RESULTS.md.
 *
 * <pre>java -cp bench/target/classes dev.coracle.bench.AgentBench [--repo DIR] [--pods 100] [--memory-pods 50] [--warmup 10]</pre>
 */
public final class AgentBench {

    private static final Pattern NAME = Pattern.compile("\"name\":\"(pod-\\d+)\"");
    private static final Pattern PHASE = Pattern.compile("\"phase\":\"(\\w+)\"");
    private static final Pattern NODE_NAME = Pattern.compile("\"nodeName\":\"([^\"]+)\"");
    private static final String NAMESPACE = "bench-agent";
    private static final String NODE = "bench-node";

    private final Map<String, String> opts = new LinkedHashMap<>();
    private final List<Process> started = new ArrayList<>();
    private Path repo;
    private Path work;

    public static void main(String[] args) throws Exception {
        new AgentBench().run(args);
    }

    private String opt(String name, String fallback) {
        return opts.getOrDefault(name, fallback);
    }

    private void run(String[] args) throws Exception {
        for (int i = 0; i < args.length; i++) {
            String[] kv = args[i].replaceFirst("^--", "").split("=", 2);
            opts.put(kv[0], kv.length == 2 ? kv[1] : args[++i]);
        }
        repo = Path.of(opt("repo", ".")).toAbsolutePath().normalize();
        int pods = Integer.parseInt(opt("pods", "100"));
        int memoryPods = Integer.parseInt(opt("memory-pods", "50"));
        String runId = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").format(ZonedDateTime.now());
        work = Path.of(opt("work", System.getProperty("java.io.tmpdir"))).resolve("coracle-agent-bench-" + runId);
        Files.createDirectories(work);
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll));
        StringBuilder md = new StringBuilder();
        try {
            Baseline direct = directProcesses(pods);
            int port = freePort();
            int agentPort = freePort();
            Process server = start("server", List.of(repo.resolve("coracle").toString(), "server", "--disable-agent",
                    "--data-dir", work.resolve("server").toString(), "--https-listen-port", String.valueOf(port),
                    "--bind-address", "127.0.0.1"));
            Api api = awaitServer(server, work.resolve("server/kubeconfig.yaml"));
            String token = Files.readString(work.resolve("server/token")).trim();
            List<String> agentCommand = List.of(repo.resolve("coracle").toString(), "agent", "--server", "https://127.0.0.1:" + port,
                    "--token", token, "--data-dir", work.resolve("agent").toString(), "--node-name", NODE, "--node-ip", "127.0.0.1",
                    "--agent-port", String.valueOf(agentPort), "--stop-pods-on-exit");
            Process agent = start("agent", agentCommand);
            awaitNodeReady(api, agent);
            api.ensureNamespace(NAMESPACE);
            warmUp(api, Integer.parseInt(opt("warmup", "10")));
            Thread.sleep(5000); // let the idle agent settle (first heartbeats, a GC) before reading its memory
            Memory idle = Memory.of(agent.pid());
            log("idle agent: " + idle);

            Startup startup = new Startup(api, pods);
            startup.createUntil(memoryPods);
            Thread.sleep(5000);
            Memory loaded = Memory.of(agent.pid());
            log(memoryPods + " pods: " + loaded);
            startup.createUntil(pods);
            Thread.sleep(3000);
            Memory full = Memory.of(agent.pid());
            log(pods + " pods: " + full);
            startup.close();

            String agentOpts = System.getenv().getOrDefault("CORACLE_AGENT_JAVA_OPTS", "the launcher's AGENT_JAVA_OPTS");
            md.append("\n## Node agent: pod startup latency and memory (bench/agent.sh, ")
                    .append(DateTimeFormatter.ISO_LOCAL_DATE.format(ZonedDateTime.now())).append(")\n")
                    .append("Command: `bench/agent.sh").append(String.join("", List.of(args).stream().map(a -> " " + a).toList()))
                    .append("`; machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, load average ")
                    .append(loadAverage()).append(" at the end.\n")
                    .append("A server (`./coracle server --disable-agent`, embedded datastore) and an agent (`./coracle agent ... ")
                    .append("--stop-pods-on-exit`, JVM options: ").append(agentOpts).append(") as separate processes on 127.0.0.1; ")
                    .append(pods).append(" pods (busybox, `sleep 3600`, no nodeName: the scheduler binds them) created one after ")
                    .append("the other through the API, after ").append(opt("warmup", "10"))
                    .append(" warm-up pods run and deleted (not reported); latency = create request sent → the watch event showing ")
                    .append("`Running`.\n\n")
                    .append("| What | p50 | p99 | max | Target | Met |\n|---|---|---|---|---|---|\n")
                    .append(row("create → Running (watch), " + pods + " pods", startup.running, "p99 ≤ 1 s",
                            startup.running.p99() <= 1000))
                    .append(row("  of which create → bound (nodeName seen)", startup.bound, "", null))
                    .append(row("  of which bound → Running (the agent)", startup.boundToRunning, "", null))
                    .append(row("baseline: the same command as a direct process (fork/exec → /proc shows it)", direct.spawn, "", null))
                    .append("\n| Agent memory | VmRSS | threads | Target | Met |\n|---|---|---|---|---|\n")
                    .append("| idle agent (baseline, no pods) | ").append(mib(idle.rssKb)).append(" | ").append(idle.threads)
                    .append(" | | |\n")
                    // the target is in MB (10^6 bytes): 150 MB = 143.05 MiB
                    .append("| ").append(memoryPods).append(" running pods | ").append(mib(loaded.rssKb))
                    .append(String.format(" (%.1f MB)", loaded.rssKb * 1024 / 1e6)).append(" | ")
                    .append(loaded.threads).append(" | ≤ 150 MB | ").append(loaded.rssKb * 1024 <= 150_000_000L ? "yes" : "**no**").append(" |\n")
                    .append("| ").append(pods).append(" running pods | ").append(mib(full.rssKb)).append(" | ").append(full.threads)
                    .append(" | | |\n")
                    .append("| baseline: ").append(pods).append(" direct processes (`sh` + `sleep`, no agent), their summed Pss | ")
                    .append(mib(direct.rssKb)).append(" | | | |\n");
        } finally {
            stopAll();
        }
        Path results = Path.of(opt("results", repo.resolve("bench/RESULTS.md").toString()));
        Files.writeString(results, md, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        System.out.println(md);
        log("appended to " + results);
    }

    /** Creates pods one after the other, timing each from its create to its bound and Running watch events. */
    private static final class Startup implements AutoCloseable {
        final Stats running = new Stats();
        final Stats bound = new Stats();
        final Stats boundToRunning = new Stats();
        private final Api api;
        private final Map<String, Long> createdAt = new ConcurrentHashMap<>();
        private final Map<String, Long> boundAt = new ConcurrentHashMap<>();
        private final Map<String, Long> runningAt = new ConcurrentHashMap<>();
        private final HttpClient watchClient;
        private final java.util.concurrent.CompletableFuture<HttpResponse<Void>> watch;
        private int created;

        Startup(Api api, int capacity) throws Exception {
            this.api = api;
            this.watchClient = api.newClient();
            long revision = Api.listRevision(api.get("/api/v1/namespaces/" + NAMESPACE + "/pods").body());
            watch = api.watch(watchClient, "/api/v1/namespaces/" + NAMESPACE + "/pods?watch=1&resourceVersion=" + revision,
                    new Flow.Subscriber<>() {
                        @Override
                        public void onSubscribe(Flow.Subscription s) {
                            s.request(Long.MAX_VALUE);
                        }

                        @Override
                        public void onNext(String line) {
                            seen(line, System.nanoTime());
                        }

                        @Override
                        public void onError(Throwable t) {
                            log("watch ended: " + t);
                        }

                        @Override
                        public void onComplete() {
                        }
                    });
        }

        private void seen(String event, long at) {
            Matcher name = NAME.matcher(event);
            if (!name.find()) {
                return;
            }
            String pod = name.group(1);
            if (NODE_NAME.matcher(event).find()) {
                boundAt.putIfAbsent(pod, at);
            }
            Matcher phase = PHASE.matcher(event);
            if (phase.find() && phase.group(1).equals("Running") && runningAt.putIfAbsent(pod, at) == null) {
                Long c = createdAt.get(pod);
                Long b = boundAt.get(pod);
                if (c != null) {
                    running.add(at - c);
                    if (b != null) {
                        bound.add(b - c);
                        boundToRunning.add(at - b);
                    }
                }
            }
        }

        void createUntil(int total) throws Exception {
            for (; created < total; created++) {
                String name = "pod-" + created;
                String json = """
                        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s"},"spec":{"terminationGracePeriodSeconds":1,
                        "containers":[{"name":"main","image":"busybox","command":["sleep","3600"]}]}}""".formatted(name);
                createdAt.put(name, System.nanoTime());
                HttpResponse<String> r = api.post("/api/v1/namespaces/" + NAMESPACE + "/pods", json);
                if (r.statusCode() != 201) {
                    throw new IOException("create " + name + ": " + r.statusCode() + " " + r.body());
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            while (runningAt.size() < total && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            if (runningAt.size() < total) {
                throw new IllegalStateException("only " + runningAt.size() + " of " + total + " pods Running after 300 s");
            }
            log(total + " pods Running; create → Running p50 " + Stats.ms(running.p50()) + " ms, p99 " + Stats.ms(running.p99()) + " ms");
        }

        @Override
        public void close() {
            watch.cancel(true);
            try {
                // the pods go before the agent stops (which stops what is left: --stop-pods-on-exit)
                api.client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(api.server + "/api/v1/namespaces/" + NAMESPACE))
                        .header("Authorization", "Bearer " + api.token).DELETE().build(), HttpResponse.BodyHandlers.discarding());
            } catch (IOException | InterruptedException e) {
                log("cannot delete the namespace: " + e);
            }
        }
    }

    /**
     * Runs a few pods to the end before measuring (not reported), as the other benchmarks warm up: the first pods
     * of a fresh server and agent pay for class loading and compilation in both JVMs.
     */
    private static void warmUp(Api api, int pods) throws Exception {
        String ns = "/api/v1/namespaces/" + NAMESPACE + "/pods";
        for (int i = 0; i < pods; i++) {
            String json = """
                    {"apiVersion":"v1","kind":"Pod","metadata":{"name":"warmup-%d"},"spec":{"terminationGracePeriodSeconds":1,
                    "containers":[{"name":"main","image":"busybox","command":["sleep","3600"]}]}}""".formatted(i);
            HttpResponse<String> r = api.post(ns, json);
            if (r.statusCode() != 201) {
                throw new IOException("create warmup-" + i + ": " + r.statusCode() + " " + r.body());
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (countMatches(api.get(ns).body(), "\"phase\":\"Running\"") < pods && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        api.client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(api.server + ns))
                .header("Authorization", "Bearer " + api.token).DELETE().build(), HttpResponse.BodyHandlers.discarding());
        while (countMatches(api.get(ns).body(), "\"name\":\"warmup-") > 0 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        log("warm-up: " + pods + " pods run and deleted");
    }

    private static int countMatches(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** The pods' command started directly, no API and no agent: how long a fork/exec takes, and what the processes weigh. */
    private record Baseline(Stats spawn, long rssKb) {
    }

    private Baseline directProcesses(int n) throws Exception {
        Stats spawn = new Stats();
        List<Process> procs = new ArrayList<>();
        long rss = 0;
        try {
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                Process p = new ProcessBuilder("setsid", "sh", "-c", "sleep 3600 & wait").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                while (p.isAlive() && p.children().findAny().isEmpty()) {
                    Thread.onSpinWait();
                }
                spawn.add(System.nanoTime() - t0);
                procs.add(p);
            }
            for (Process p : procs) {
                rss += Memory.pssKb(p.pid());
                for (ProcessHandle c : p.children().toList()) {
                    rss += Memory.pssKb(c.pid());
                }
            }
        } finally {
            for (Process p : procs) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
        log("direct processes: spawn p50 " + Stats.ms(spawn.p50()) + " ms, p99 " + Stats.ms(spawn.p99()) + " ms, Pss " + mib(rss));
        return new Baseline(spawn, rss);
    }

    /** VmRSS and thread count of a process, from /proc/PID/status. */
    private record Memory(long rssKb, int threads) {
        static Memory of(long pid) throws IOException {
            long rss = 0;
            int threads = 0;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
                } else if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.replaceAll("[^0-9]", ""));
                }
            }
            return new Memory(rss, threads);
        }

        /** The proportional set size: shared pages (the shell's binary, libc) counted once across the processes. */
        static long pssKb(long pid) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
                    if (line.startsWith("Pss:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (IOException e) {
                // gone
            }
            return 0;
        }

        @Override
        public String toString() {
            return mib(rssKb) + ", " + threads + " threads";
        }
    }

    private Process start(String name, List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile()).start();
        started.add(0, p);
        return p;
    }

    private Api awaitServer(Process server, Path kubeconfig) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("the server exited; see " + work.resolve("server.log"));
            }
            if (Files.exists(kubeconfig) && Files.exists(kubeconfig.resolveSibling("token"))) {
                try {
                    Api api = Api.fromKubeconfig(kubeconfig);
                    if (api.get("/readyz").statusCode() == 200) {
                        return api;
                    }
                } catch (IOException | RuntimeException e) {
                    // not listening yet
                }
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the server was not ready in 180 s; see " + work.resolve("server.log"));
    }

    private void awaitNodeReady(Api api, Process agent) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        Pattern ready = Pattern.compile("\"type\":\"Ready\",\"status\":\"True\"|\"status\":\"True\",\"type\":\"Ready\"");
        while (System.nanoTime() < deadline) {
            if (!agent.isAlive()) {
                throw new IllegalStateException("the agent exited; see " + work.resolve("agent.log"));
            }
            HttpResponse<String> r = api.get("/api/v1/nodes/" + NODE);
            if (r.statusCode() == 200 && ready.matcher(r.body().replace(" ", "")).find()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("node " + NODE + " not Ready in 180 s; see " + work.resolve("agent.log"));
    }

    private void stopAll() {
        for (Process p : new ArrayList<>(started)) {
            // the agent first (SIGTERM: it stops its pods), then the server
            p.destroy();
            try {
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            started.remove(p);
        }
    }

    private static String row(String what, Stats s, String target, Boolean met) {
        return "| " + what + " | " + Stats.ms(s.p50()) + " ms | " + Stats.ms(s.p99()) + " ms | " + Stats.ms(s.max()) + " ms | "
                + target + " | " + (met == null ? "" : met ? "yes" : "**no**") + " |\n";
    }

    private static String mib(long kb) {
        return String.format("%.1f MiB", kb / 1024.0);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void log(String message) {
        System.err.println("[agent-bench " + java.time.LocalTime.now().withNano(0) + "] " + message);
    }
}
