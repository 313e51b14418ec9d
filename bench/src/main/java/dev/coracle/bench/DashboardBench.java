package dev.coracle.bench;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The dashboard with 5,000 pods: how fast the Pods page answers, and how fast a change reaches an open page (the
 * page's live stream says "pods changed", the page re-fetches itself and shows the new pod). Baselines in the same
 * run: the API's own list of the 5,000 pods (what a dashboard without a watch cache would pay per page view) and an
 * API watch's delivery of the same change (the floor the dashboard stands on).
 *
 * <pre>bench/dashboard.sh [--pods 5000] [--runs 30] [--changes 20] [--pages 100]</pre>
 *
 * Starts {@code ./coracle server} (embedded store) and {@code ./coracle dashboard} (local mode) as separate
 * processes on 127.0.0.1, ports 20500-20599; appends a section to bench/RESULTS.md.
 */
public final class DashboardBench {

    private static final String NS = "bench";

    private final Path repo;
    private final Path work;
    private final int pods;
    private final int runs;
    private final int changes;
    private final int pages;
    private final List<Process> processes = new ArrayList<>();
    private final StringBuilder md = new StringBuilder();

    private DashboardBench(Path repo, Path work, int pods, int runs, int changes, int pages) {
        this.repo = repo;
        this.work = work;
        this.pods = pods;
        this.runs = runs;
        this.changes = changes;
        this.pages = pages;
    }

    public static void main(String[] args) throws Exception {
        java.util.Map<String, String> opts = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path repo = Path.of(opts.getOrDefault("repo", ".")).toAbsolutePath().normalize();
        Path work = Files.createTempDirectory("coracle-dashboard-bench");
        DashboardBench bench = new DashboardBench(repo, work, Integer.parseInt(opts.getOrDefault("pods", "5000")),
                Integer.parseInt(opts.getOrDefault("runs", "50")), Integer.parseInt(opts.getOrDefault("changes", "20")),
                Integer.parseInt(opts.getOrDefault("pages", "100")));
        try {
            bench.run(opts.getOrDefault("command", "bench/dashboard.sh"));
        } finally {
            bench.stopAll();
        }
    }

    private void run(String command) throws Exception {
        int apiPort = freePort(20500, 20549);
        Process server = start("server", List.of(repo.resolve("coracle").toString(), "server", "--disable-agent", "--data-dir", work.resolve("server").toString(),
                "--https-listen-port", String.valueOf(apiPort), "--bind-address", "127.0.0.1"));
        Path kubeconfig = work.resolve("server/kubeconfig.yaml");
        awaitFile(kubeconfig, server);
        Api api = Api.fromKubeconfig(kubeconfig);
        awaitOk(() -> api.get("/readyz").statusCode() == 200, Duration.ofMinutes(3), "the API server");
        api.ensureNamespace(NS);

        long t0 = System.nanoTime();
        createPods(api);
        double createSeconds = (System.nanoTime() - t0) / 1e9;
        log("created " + pods + " pods in " + String.format(Locale.ROOT, "%.1f", createSeconds) + " s");

        int port = freePort(20550, 20599);
        long d0 = System.nanoTime();
        Process dashboard = start("dashboard", List.of(repo.resolve("coracle").toString(), "dashboard", "--kubeconfig", kubeconfig.toString(),
                "--port", String.valueOf(port)));
        String base = "http://127.0.0.1:" + port;
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        awaitOk(() -> page(http, base + "/pods").contains("id=\"pod-count\">" + pods + "<"), Duration.ofMinutes(3), "the dashboard's first full Pods page");
        double dashboardReady = (System.nanoTime() - d0) / 1e9;
        long rss = rssKb(dashboard);

        // 1. the Pods page with every pod (first page of 500 rows, 5,000 counted), vs the API's list of all pods
        List<Double> pageMs = new ArrayList<>();
        List<Double> nsPageMs = new ArrayList<>();
        List<Double> apiListMs = new ArrayList<>();
        int pageBytes = 0;
        // one loop per kind of request, so the API's heavy list does not overlap the pages' timings
        for (int i = 0; i < runs; i++) {
            long a = System.nanoTime();
            String html = page(http, base + "/pods");
            pageMs.add((System.nanoTime() - a) / 1e6);
            pageBytes = html.length();
        }
        for (int i = 0; i < runs; i++) {
            long b = System.nanoTime();
            page(http, base + "/pods?ns=" + NS + "&selector=app%3Dbench&q=bench-04&page=0");
            nsPageMs.add((System.nanoTime() - b) / 1e6);
        }
        for (int i = 0; i < Math.min(runs, 10); i++) {
            long c = System.nanoTime();
            HttpResponse<byte[]> list = api.getBytes("/api/v1/pods");
            apiListMs.add((System.nanoTime() - c) / 1e6);
            if (list.statusCode() != 200) {
                throw new IllegalStateException("list: " + list.statusCode());
            }
        }
        log("pods page p50 " + p(pageMs, 50) + " ms, API list p50 " + p(apiListMs, 50) + " ms");

        // 2. a change reaches an open page: live stream event, then the page's re-fetch showing the new pod
        LinkedBlockingQueue<Long> liveEvents = new LinkedBlockingQueue<>();
        openLive(http, base, liveEvents);
        LinkedBlockingQueue<Long> watchEvents = new LinkedBlockingQueue<>();
        String rv = String.valueOf(Api.listRevision(api.get("/api/v1/namespaces/" + NS + "/pods?limit=1").body()));
        api.watch(api.newClient(), "/api/v1/namespaces/" + NS + "/pods?watch=1&resourceVersion=" + rv, lines(l -> {
            if (l.contains("\"ADDED\"") && l.contains("aaa-probe-")) {
                watchEvents.add(System.nanoTime());
            }
        }));
        Thread.sleep(2000);
        liveEvents.clear();
        List<Double> watchMs = new ArrayList<>();
        List<Double> eventMs = new ArrayList<>();
        List<Double> shownMs = new ArrayList<>();
        for (int i = 0; i < changes; i++) {
            String name = String.format(Locale.ROOT, "aaa-probe-%03d", i);
            liveEvents.clear();
            watchEvents.clear();
            long start = System.nanoTime();
            HttpResponse<String> created = api.post("/api/v1/namespaces/" + NS + "/pods", pod(name));
            if (created.statusCode() != 201) {
                throw new IllegalStateException("probe: " + created.statusCode() + " " + created.body());
            }
            Long watched = watchEvents.poll(30, TimeUnit.SECONDS);
            Long event = liveEvents.poll(30, TimeUnit.SECONDS);
            if (watched == null || event == null) {
                throw new IllegalStateException("no event for " + name);
            }
            // the page re-fetches itself on the event, as live.js does; the pod sorts first in its namespace
            String html = page(http, base + "/pods?ns=" + NS);
            long shown = System.nanoTime();
            if (!html.contains(name)) {
                throw new IllegalStateException("the refreshed page does not show " + name);
            }
            watchMs.add((watched - start) / 1e6);
            eventMs.add((event - start) / 1e6);
            shownMs.add((shown - start) / 1e6);
            delete(api, name);
            Thread.sleep(300);
        }
        log("change → page p50 " + p(shownMs, 50) + " ms (watch " + p(watchMs, 50) + " ms)");

        // 3. many open pages: every one of them gets the change event
        List<LinkedBlockingQueue<Long>> many = new ArrayList<>();
        HttpClient manyClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int i = 0; i < pages; i++) {
            LinkedBlockingQueue<Long> q = new LinkedBlockingQueue<>();
            openLive(manyClient, base, q);
            many.add(q);
        }
        Thread.sleep(3000);
        many.forEach(LinkedBlockingQueue::clear);
        List<Double> allMs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String name = String.format(Locale.ROOT, "aaa-fanout-%03d", i);
            many.forEach(LinkedBlockingQueue::clear);
            long start = System.nanoTime();
            api.post("/api/v1/namespaces/" + NS + "/pods", pod(name));
            long last = 0;
            for (LinkedBlockingQueue<Long> q : many) {
                Long at = q.poll(30, TimeUnit.SECONDS);
                if (at == null) {
                    throw new IllegalStateException("a page missed the change");
                }
                last = Math.max(last, at);
            }
            allMs.add((last - start) / 1e6);
            delete(api, name);
            Thread.sleep(500);
        }
        long rssAfter = rssKb(dashboard);

        String date = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").format(ZonedDateTime.now());
        md.append("\n## Dashboard with ").append(String.format(Locale.ROOT, "%,d", pods)).append(" pods (DashboardBench, ").append(date).append(" UTC)\n");
        md.append("Command: `").append(command).append("` (`java -cp bench/target/classes dev.coracle.bench.DashboardBench --pods ")
                .append(pods).append(" --runs ").append(runs).append(" --changes ").append(changes).append(" --pages ").append(pages).append("`).\n");
        md.append("`./coracle server` (embedded H2 store) and `./coracle dashboard` (local mode, the launcher's heap) as separate processes on ")
                .append("127.0.0.1, ").append(Runtime.getRuntime().availableProcessors()).append(" cores shared with other work (load average ")
                .append(loadAverage()).append(" at the end). ").append(String.format(Locale.ROOT, "%,d", pods))
                .append(" pending pods in one namespace, created through the API in ")
                .append(String.format(Locale.ROOT, "%.1f", createSeconds)).append(" s; the dashboard started and showed all of them in ")
                .append(String.format(Locale.ROOT, "%.1f", dashboardReady)).append(" s (JVM start + one list per kind, then watches); its RSS ")
                .append(rss / 1024).append(" MiB, ").append(rssAfter / 1024).append(" MiB after the ").append(pages).append(" open pages.\n\n");
        md.append("| What | p50 | p90 | p99 | max | Target (p99) | Met |\n|---|---|---|---|---|---|---|\n");
        row("`GET /pods` — all namespaces, " + String.format(Locale.ROOT, "%,d", pods) + " pods counted, first 500 rows (" + pageBytes / 1024 + " KiB of HTML), " + runs + " runs", pageMs, 1000);
        row("`GET /pods` filtered (namespace, label selector, text), " + runs + " runs", nsPageMs, 1000);
        row("baseline: the API's `GET /api/v1/pods` (all " + String.format(Locale.ROOT, "%,d", pods) + ", JSON), " + apiListMs.size() + " runs, same run", apiListMs, -1);
        row("change → open page's live event (`/live?kinds=pods`), " + changes + " pod creations", eventMs, -1);
        row("change → open page shows it (event + the page's re-fetch), " + changes + " pod creations", shownMs, 1000);
        row("baseline: change → an API watch's ADDED event, same creations", watchMs, -1);
        row("change → the last of " + pages + " open pages has the event, 5 creations", allMs, 1000);
        md.append("\nThe Pods page is rendered from the dashboard's informer cache (one list, then one watch per kind, shared by every page and session of ")
                .append("the same identity), so its time does not include the API's list (baseline row); a change costs the API one watch event, ")
                .append("whatever the number of open pages.\n");
        Path results = repo.resolve("bench/RESULTS.md");
        Files.writeString(results, md.toString(), StandardOpenOption.APPEND);
        System.out.println(md);
    }

    private void row(String what, List<Double> ms, double targetMs) {
        String target = targetMs < 0 ? "—" : "≤ " + (int) targetMs + " ms";
        String met = targetMs < 0 ? "—" : p(ms, 99) <= targetMs ? "yes" : "**no**";
        md.append("| ").append(what).append(" | ").append(fmt(p(ms, 50))).append(" ms | ").append(fmt(p(ms, 90))).append(" ms | ")
                .append(fmt(p(ms, 99))).append(" ms | ")
                .append(fmt(Collections.max(ms))).append(" ms | ").append(target).append(" | ").append(met).append(" |\n");
    }

    private static String fmt(double v) {
        return v < 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.0f", v);
    }

    private static double p(List<Double> values, int percentile) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private void createPods(Api api) throws Exception {
        Semaphore inFlight = new Semaphore(16);
        List<CompletableFuture<HttpResponse<Void>>> all = new ArrayList<>();
        for (int i = 0; i < pods; i++) {
            inFlight.acquire();
            CompletableFuture<HttpResponse<Void>> f = api.postAsync("/api/v1/namespaces/" + NS + "/pods",
                    pod(String.format(Locale.ROOT, "bench-%05d", i)));
            f.whenComplete((r, t) -> inFlight.release());
            all.add(f);
        }
        for (var f : all) {
            int code = f.get(120, TimeUnit.SECONDS).statusCode();
            if (code != 201) {
                throw new IllegalStateException("create: " + code);
            }
        }
    }

    private static String pod(String name) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"app\":\"bench\"}},"
                + "\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"busybox\",\"command\":[\"sleep\",\"3600\"],"
                + "\"resources\":{\"requests\":{\"cpu\":\"10m\",\"memory\":\"16Mi\"}}}]}}";
    }

    private static void delete(Api api, String name) throws Exception {
        api.client.send(HttpRequest.newBuilder(URI.create(api.server + "/api/v1/namespaces/" + NS + "/pods/" + name + "?gracePeriodSeconds=0"))
                .header("Authorization", "Bearer " + api.token).DELETE().build(), HttpResponse.BodyHandlers.discarding());
    }

    private static String page(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("X-Live", "1").timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + ": " + r.statusCode());
        }
        return r.body();
    }

    /** A page's live stream: the arrival time of every "change" event that names pods. */
    private static void openLive(HttpClient http, String base, LinkedBlockingQueue<Long> events) {
        http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/live?kinds=pods")).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofInputStream()).thenAccept(r -> {
            Thread reader = new Thread(() -> {
                try (InputStream in = r.body(); BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    boolean change = false;
                    String line;
                    while ((line = lines.readLine()) != null) {
                        if (line.equals("event:change")) {
                            change = true;
                        } else if (change && line.startsWith("data:") && line.contains("pods")) {
                            events.add(System.nanoTime());
                            change = false;
                        }
                    }
                } catch (Exception e) {
                    // the bench is over
                }
            }, "live-reader");
            reader.setDaemon(true);
            reader.start();
        });
    }

    private static Flow.Subscriber<String> lines(java.util.function.Consumer<String> each) {
        return new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(String item) {
                each.accept(item);
            }

            @Override
            public void onError(Throwable throwable) {
            }

            @Override
            public void onComplete() {
            }
        };
    }

    private Process start(String name, List<String> command) throws Exception {
        Path log = work.resolve(name + ".log");
        ProcessBuilder b = new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        b.environment().remove("KUBECONFIG");
        Process p = b.start();
        processes.add(p);
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        log("started " + name + " (pid " + p.pid() + "), log " + log);
        return p;
    }

    private void stopAll() throws Exception {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void awaitOk(Check check, Duration max, String what) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(what + " not ready in " + max, last);
    }

    private static void awaitFile(Path file, Process owner) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!Files.exists(file)) {
            if (!owner.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("no " + file);
            }
            Thread.sleep(250);
        }
    }

    /** The JVM's resident memory: the launcher execs java, so the process is the JVM itself. */
    private static long rssKb(Process p) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        return -1;
    }

    private static String loadAverage() throws Exception {
        return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    }

    private static int freePort(int from, int to) {
        for (int port = from; port <= to; port++) {
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (Exception e) {
                // taken
            }
        }
        throw new IllegalStateException("no free port in " + from + "-" + to);
    }

    private static void log(String s) {
        System.err.println("[dashboard-bench] " + s);
    }

}
