package dev.coracle.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Coracle's foundation benchmarks against a real control-plane process on PostgreSQL, each beside a baseline
 * measured in the same run. Appends a dated section to bench/RESULTS.md.
 *
 * <pre>java -jar bench/target/bench-*.jar [--postgres URL] [--repo DIR] [all|creates|watch|list|memory]...</pre>
 */
public final class Main {

    private final Map<String, String> opts = new LinkedHashMap<>();
    private final List<String> phases = new ArrayList<>();
    private final StringBuilder md = new StringBuilder();
    private final List<String> summary = new ArrayList<>();
    private Path repo;
    private Pg pg;
    private String runId;
    private Path work;

    public static void main(String[] args) throws Exception {
        new Main().run(args);
    }

    private void run(String[] args) throws Exception {
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                String[] kv = args[i].substring(2).split("=", 2);
                opts.put(kv[0], kv.length == 2 ? kv[1] : args[++i]);
            } else {
                phases.add(args[i]);
            }
        }
        if (phases.isEmpty() || phases.contains("all")) {
            phases.clear();
            phases.addAll(List.of("creates", "watch", "list", "memory"));
        }
        repo = Path.of(opt("repo", ".")).toAbsolutePath().normalize();
        String url = opt("postgres", System.getenv().getOrDefault("CORACLE_TEST_POSTGRES", ""));
        if (url.isEmpty()) {
            throw new IllegalArgumentException("--postgres postgres://user:pass@127.0.0.1:5432/postgres (or CORACLE_TEST_POSTGRES)");
        }
        pg = new Pg(url);
        runId = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").format(ZonedDateTime.now());
        work = Path.of(opt("work", System.getProperty("java.io.tmpdir"))).resolve("coracle-bench-" + runId);

        header(url);
        for (String phase : phases) {
            long t0 = System.nanoTime();
            log("== " + phase);
            switch (phase) {
                case "creates", "watch" -> writesAndWatch(phase);
                case "list" -> list();
                case "memory" -> memory();
                default -> throw new IllegalArgumentException("unknown benchmark " + phase);
            }
            log("== " + phase + " done in " + (System.nanoTime() - t0) / 1_000_000_000 + " s");
        }
        StringBuilder out = new StringBuilder(md.substring(0, md.indexOf("@@SUMMARY@@")));
        out.append("| Benchmark | Result | Baseline (same run) | Target | Met |\n|---|---|---|---|---|\n");
        summary.forEach(s -> out.append(s).append('\n'));
        out.append(md.substring(md.indexOf("@@SUMMARY@@") + "@@SUMMARY@@".length()));
        Path results = Path.of(opt("results", repo.resolve("bench/RESULTS.md").toString()));
        if (!Files.exists(results)) {
            Files.writeString(results, "# Coracle benchmark results\n\nEach section is one run of `bench/run.sh`, newest last.\n");
        }
        Files.writeString(results, "\n" + out, StandardOpenOption.APPEND);
        System.out.println(out);
        log("appended to " + results);
    }

    private String opt(String name, String def) {
        return opts.getOrDefault(name, def);
    }

    private double num(String name, double def) {
        return Double.parseDouble(opt(name, Double.toString(def)));
    }

    private void header(String url) throws Exception {
        String commit = sh("git", "-C", repo.toString(), "rev-parse", "--short", "HEAD").trim();
        String dirty = sh("git", "-C", repo.toString(), "status", "--porcelain", "--untracked-files=all", "control-plane").trim();
        md.append("## ").append(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(ZonedDateTime.now().withNano(0))).append("\n\n");
        md.append("- Command: `").append(opt("command", "java -jar bench/target/bench-0.1.0-SNAPSHOT.jar " + String.join(" ", phases))).append("`\n");
        md.append("- Server: commit `").append(commit).append('`');
        if (!dirty.isEmpty()) {
            md.append(", control-plane working tree not clean: `").append(dirty.replace("\n", "; ")).append('`');
        }
        md.append("; started per benchmark as `./coracle server --data-dir D --datastore-endpoint postgres://…/bench_").append(runId)
                .append("_X --https-listen-port P` on a fresh database (launcher defaults)\n");
        md.append("- Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(sh("sh", "-c", "awk '/MemTotal/ {printf \"%d MiB\", $2/1024}' /proc/meminfo"))
                .append(" RAM, load average before the run ").append(Files.readString(Path.of("/proc/loadavg")).split(" ", 4)[0]).append(", ")
                .append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.version"))
                .append("; shared and noisy, client, server and PostgreSQL on the same 2 cores\n");
        if (System.getenv("CORACLE_JAVA_OPTS") != null) {
            md.append("- Server JVM options (CORACLE_JAVA_OPTS): `").append(System.getenv("CORACLE_JAVA_OPTS")).append("`\n");
        }
        md.append("- PostgreSQL: ").append(pg.settings()).append(" (127.0.0.1, TCP)\n\n");
        md.append("@@SUMMARY@@\n");
    }

    // ---- 1 and 2: creates and watch delivery ----------------------------------------------------------

    /**
     * Each on a fresh server and database: the creates leave a few hundred thousand ConfigMaps behind, which the
     * server's informers hold in memory, and the watch benchmark is about delivery, not about that.
     */
    private void writesAndWatch(String phase) throws Exception {
        boolean creates = phase.equals("creates");
        boolean watch = phase.equals("watch");
        String db = "bench_" + runId + "_" + phase;
        String rawDb = "bench_" + runId + "_raw";
        pg.createDatabase(db);
        pg.createDatabase(rawDb);
        String padding = "x".repeat(200);
        try (Server server = Server.start(repo, work.resolve(phase), pg.endpoint(db))) {
            log("server pid " + server.pid + " at " + server.api.server);
            Api api = server.api;
            if (creates) {
                createsBenchmark(server, api, db, rawDb, padding);
            }
            if (watch) {
                watchBenchmark(server, api, padding);
            }
        } finally {
            pg.dropDatabase(db);
            pg.dropDatabase(rawDb);
        }
    }

    private void createsBenchmark(Server server, Api api, String db, String rawDb, String padding) throws Exception {
        int clients = (int) num("clients", 16);
        double seconds = num("create-seconds", 20);
        long max = 200_000;
        api.ensureNamespace("load");
        // the stored size of such a ConfigMap, so the raw rows are as big as the server's
        AtomicLong seq = new AtomicLong();
        api.post("/api/v1/namespaces/load/configmaps", Creates.configMap(seq.incrementAndGet(), padding));
        String stored = api.get("/api/v1/namespaces/load/configmaps/cm-1").body();
        String rawBody = stored.replaceAll(".", "r");

        log("raw INSERT+COMMIT, 1 connection");
        Pg.RawResult raw1 = pg.rawInserts(rawDb, 1, seconds, max, rawBody);
        log("raw INSERT+COMMIT, " + clients + " connections");
        Pg.RawResult rawN = pg.rawInserts(rawDb, clients, seconds, max, rawBody);
        log("server's group-commit statements without the server, batches of " + clients);
        Pg.RawResult seqN = pg.rawServerSequence(rawDb, clients, seconds / 2, max, rawBody);
        log("server's group-commit statements without the server, batches of 1");
        Pg.RawResult seq1 = pg.rawServerSequence(rawDb, 1, seconds / 2, max, rawBody);
        log("API creates warm-up");
        Creates.run(api, "/api/v1/namespaces/load/configmaps", n -> Creates.configMap(n, padding), clients, num("create-warmup", 30), max, seq);
        // the machine is shared: API and raw runs alternate, three rounds, and the medians are compared
        int rounds = (int) num("create-rounds", 3);
        List<Creates.Result> apiRuns = new ArrayList<>();
        List<Pg.RawResult> rawRuns = new ArrayList<>(List.of(rawN));
        Map<String, Double> waits = Map.of();
        String profile = "";
        Cpu.Usage cpu = null;
        List<String> cpuPerCreate = new ArrayList<>();
        // rounds 1..N unobserved; one more round with JFR and the pg_stat_activity sampler on, reported apart
        Creates.Result profiledRun = null;
        for (int round = 0; round <= rounds; round++) {
            boolean profiled = round == rounds;
            log("API creates, " + clients + " clients, " + (profiled ? "profiled round" : "round " + (round + 1)));
            Cpu.Snapshot c0 = Cpu.snapshot(server.pid);
            if (profiled) {
                server.jfrStart("creates");
            }
            if (!profiled) {
                apiRuns.add(Creates.run(api, "/api/v1/namespaces/load/configmaps", n -> Creates.configMap(n, padding), clients, seconds, max, seq));
                cpu = Cpu.between(c0, Cpu.snapshot(server.pid));
                Creates.Result last = apiRuns.get(apiRuns.size() - 1);
                cpuPerCreate.add(String.format("%.2f ms", cpu.serverCores() * cpu.seconds() * 1000 / Math.max(1, last.created())));
                log("raw INSERT+COMMIT, " + clients + " connections, round " + (round + 1));
                rawRuns.add(pg.rawInserts(rawDb, clients, seconds, max, rawBody));
                continue;
            }
            try (Pg.ActivitySampler sampler = pg.sampleActivity(db)) {
                profiledRun = Creates.run(api, "/api/v1/namespaces/load/configmaps", n -> Creates.configMap(n, padding), clients, seconds, max, seq);
                waits = sampler.top(8);
            }
            profile = Profile.summarise(server.jfrStop("creates"), 12);
        }
        log("API creates, 1 client");
        Creates.Result api1 = Creates.run(api, "/api/v1/namespaces/load/configmaps", n -> Creates.configMap(n, padding), 1, seconds / 2, max, seq);
        Creates.Result api16 = apiRuns.stream().sorted(java.util.Comparator.comparingDouble(Creates.Result::rate)).toList().get(apiRuns.size() / 2);
        double rawMedian = rawRuns.stream().mapToDouble(Pg.RawResult::rate).sorted().toArray()[rawRuns.size() / 2];
        double rawMean = rawMedian;
        double share = api16.rate() / rawMean;
        md.append("### 1. Creates through the API vs raw PostgreSQL INSERT+COMMIT\n\n");
        md.append("ConfigMaps (").append(stored.length()).append(" bytes as stored) POSTed as JSON over HTTPS with the admin bearer token, ")
                .append("closed loop (each client sends its next create when the last returns), ").append(String.format("%.0f", seconds))
                .append(" s per run after a ").append(String.format("%.0f", num("create-warmup", 30))).append(" s warm-up. Raw: JDBC, one `INSERT` of a row of the same size into a table with the same ")
                .append("primary key as `objects`, then `COMMIT`, per operation; one connection per client thread.\n\n");
        md.append("| Run | Ops | Seconds | Ops/s | p50 ms | p99 ms | Errors |\n|---|---|---|---|---|---|---|\n");
        rawRow(raw1, "Raw PostgreSQL, 1 connection");
        rawRow(rawN, "Raw PostgreSQL, " + clients + " connections, before");
        for (int i = 0; i < apiRuns.size(); i++) {
            createRow(apiRuns.get(i), (apiRuns.get(i) == api16 ? "**" : "") + "API creates, " + clients + " clients, round " + (i + 1)
                    + (apiRuns.get(i) == api16 ? " (median)**" : ""));
            rawRow(rawRuns.get(i + 1), "Raw PostgreSQL, " + clients + " connections, after round " + (i + 1));
        }
        createRow(profiledRun, "API creates, " + clients + " clients, profiled round (JFR + pg_stat_activity sampling on; not in the median)");
        createRow(api1, "API creates, 1 client");
        rawRow(seq1, "Server's group-commit SQL, no server, 1 connection: transactions of 1 create");
        rawRow(seqN, "Server's group-commit SQL, no server, 1 connection: transactions of " + clients + " creates");
        md.append("\nAPI with ").append(clients).append(" clients = **").append(String.format("%.0f %%", share * 100))
                .append("** of the raw ").append(clients).append("-connection rate (median API round vs median raw run, ")
                .append(String.format("%.0f", rawMean)).append("/s); ").append(String.format("%.0f %%", api16.rate() / raw1.rate() * 100))
                .append(" of the 1-connection rate. \"Server's group-commit SQL, no server\" runs, over JDBC from the bench on one ")
                .append("connection, the statements the server's committer sends per transaction of creates (the counter row's ")
                .append("`UPDATE … RETURNING` with its `pg_notify`, batched `INSERT`s into objects and revisions, `COMMIT`), with as many ")
                .append("creates per transaction as the row says; latency is the transaction's: ")
                .append("the ceiling of the store's design on this PostgreSQL, before any server work.\n\n");
        md.append("CPU during the last unprofiled round of the ").append(clients).append("-client API runs: ").append(cpu.describe()).append(".\n");
        md.append("Server CPU time per create, rounds 1 to ").append(rounds).append(": ").append(String.join(", ", cpuPerCreate))
                .append(" (what a create costs the server whatever else the shared cores run).\n\n");
        if (api16.firstError() != null) {
            md.append("First error: `").append(api16.firstError()).append("`\n\n");
        }
        md.append("What the server's PostgreSQL connections were doing during the profiled round (pg_stat_activity sampled every 50 ms; ")
                .append("average number of connections in each state):\n\n| Connections | state \\| wait event \\| query |\n|---|---|\n");
        waits.forEach((k, v) -> md.append("| ").append(String.format("%.2f", v)).append(" | `").append(k.replace("|", "\\|")).append("` |\n"));
        md.append("\nWhere the server's CPU went during the profiled round:\n\n").append(profile).append('\n');
        summary.add(String.format("| 1. Creates/s, %d clients (p50/p99), median of 3 rounds | %.0f/s (%s/%s ms) | raw INSERT+COMMIT %d conns %.0f/s (median), 1 conn %.0f/s | ≥ 50 %% of raw | %s (%.0f %%) |",
                clients, api16.rate(), Stats.ms(api16.latency().p50()), Stats.ms(api16.latency().p99()), clients, rawMean, raw1.rate(),
                share >= 0.5 ? "yes" : "**no**", share * 100));
    }

    private void rawRow(Pg.RawResult r, String name) {
        md.append(String.format("| %s | %d | %.1f | %.0f | %s | %s | 0 |\n", name, r.inserts(), r.seconds(), r.rate(),
                Stats.ms(r.latency().p50()), Stats.ms(r.latency().p99())));
    }

    private void createRow(Creates.Result r, String name) {
        md.append(String.format("| %s | %d | %.1f | %.0f | %s | %s | %d |\n", name, r.created(), r.seconds(), r.rate(),
                Stats.ms(r.latency().p50()), Stats.ms(r.latency().p99()), r.errors()));
    }

    private void watchBenchmark(Server server, Api api, String padding) throws Exception {
        int watchers = (int) num("watchers", 500);
        int namespaces = (int) num("watch-namespaces", 50);
        double rate = num("rate", 500);
        double extraRate = num("extra-rate", 100);
        double seconds = num("watch-seconds", 20);
        String tag = runId.replace('_', '-');
        List<String> rows = new ArrayList<>();
        String profile = "";
        String profiled = "";
        Watch.Result mainOne = null;
        Watch.Result mainMany = null;
        int k = 0;
        double warmUp = num("watch-warmup", 20);
        log("watch: warm-up, " + rate + " writes/s for " + warmUp + " s");
        Watch.warmUp(api, namespaces, rate, warmUp, padding);
        for (double r : extraRate > 0 && extraRate != rate ? List.of(rate, extraRate) : List.of(rate)) {
            log("watch: 1 watcher, " + r + " writes/s");
            Cpu.Snapshot b0 = Cpu.snapshot(server.pid);
            Watch.Result one = Watch.run(api, tag + "w" + k++, 1, namespaces, r, seconds, padding);
            rows.add(watchRow(one, Cpu.between(b0, Cpu.snapshot(server.pid)).describe()));
            Server.sleep(Duration.ofSeconds(3));
            log("watch: " + watchers + " watchers, " + r + " writes/s");
            Cpu.Snapshot c0 = Cpu.snapshot(server.pid);
            Watch.Result many = Watch.run(api, tag + "w" + k++, watchers, namespaces, r, seconds, padding);
            rows.add(watchRow(many, Cpu.between(c0, Cpu.snapshot(server.pid)).describe()));
            Server.sleep(Duration.ofSeconds(3));
            if (r == rate) {
                mainOne = one;
                mainMany = many;
                // the profiled repeat is not the measured run: a JFR recording of its own slows the server down
                log("watch: " + watchers + " watchers, " + r + " writes/s, profiled");
                server.jfrStart("watch");
                Watch.Result profiledRun = Watch.run(api, tag + "w" + k++, watchers, namespaces, r, seconds, padding);
                profile = Profile.summarise(server.jfrStop("watch"), 12);
                profiled = watchRow(profiledRun, "JFR recording on; not the measured run");
                Server.sleep(Duration.ofSeconds(3));
            } else {
                summary.add(String.format("| 2b. Same at %.0f writes/s (achieved %.0f/s) | %s ms (p50 %s) | 1 watcher: %s ms (p50 %s) | ≤ 20 ms | %s |",
                        r, many.achievedRate(), Stats.ms(many.delivery().p99()), Stats.ms(many.delivery().p50()),
                        Stats.ms(one.delivery().p99()), Stats.ms(one.delivery().p50()),
                        many.delivery().p99() <= 20 && many.delivered() >= many.expected() ? "yes" : "**no**"));
            }
        }
        md.append("### 2. Watch delivery, write → watcher\n\n");
        md.append(String.format("Watchers: `GET /api/v1/namespaces/watch-NN/configmaps?watch=1&resourceVersion=N`, one HTTP/1.1 connection each, "
                + "spread evenly over %d namespaces; the run starts once every watcher has received a first event. Writer: open loop, "
                + "ConfigMap creates paced at the target rate for %.0f s (after 3 s of unmeasured warm-up writes at the same rate; the fresh "
                + "server first gets " + String.format("%.0f", warmUp) + " s of unmeasured writes at the main rate, so that the JIT has compiled "
                + "its paths), "
                + "round-robin over the same namespaces, at most 256 in flight (a server slower than the target rate therefore lowers the "
                + "achieved rate and queues up to 256 writes); each object carries `%s` = the writer's `System.nanoTime()` "
                + "taken just before the POST, and each watcher records receipt − send (same JVM, same clock). Delivery latency therefore "
                + "includes the create's own HTTP round trip and commit. With 1 watcher it sees the writes of its namespace only "
                + "(1/%d of them); with %d watchers every write reaches %d watchers. The second pair of rows repeats the runs at a write "
                + "rate this server sustains, to separate delivery from write saturation.\n\n", namespaces, seconds, Watch.ANNOTATION, namespaces,
                watchers, Math.max(1, watchers / namespaces)));
        md.append("| Watchers | Writes/s target → achieved | Write p50/p99 ms | Deliveries expected → received | Delivery p50 ms | p99 ms | max ms | Streams ended early | CPU |\n|---|---|---|---|---|---|---|---|---|\n");
        rows.forEach(md::append);
        md.append("\nThe same ").append(watchers).append("-watcher run repeated under a JFR recording (not in the summary: the "
                + "recording itself slows the server):\n\n| Watchers | Writes/s target → achieved | Write p50/p99 ms | Deliveries expected → "
                + "received | Delivery p50 ms | p99 ms | max ms | Streams ended early | |\n|---|---|---|---|---|---|---|---|---|\n").append(profiled);
        md.append("\nWhere the server's CPU went during that run (includes watch set-up and drain):\n\n").append(profile).append('\n');
        summary.add(summary.size() - (extraRate > 0 && extraRate != rate ? 1 : 0),
                String.format("| 2. Watch delivery p99, %d watchers, %.0f writes/s (achieved %.0f/s) | %s ms (p50 %s) | 1 watcher: %s ms (p50 %s) | ≤ 20 ms | %s |",
                        watchers, rate, mainMany.achievedRate(), Stats.ms(mainMany.delivery().p99()), Stats.ms(mainMany.delivery().p50()),
                        Stats.ms(mainOne.delivery().p99()), Stats.ms(mainOne.delivery().p50()),
                        mainMany.delivery().p99() <= 20 && mainMany.delivered() >= mainMany.expected() ? "yes" : "**no**"));
    }

    private static String watchRow(Watch.Result r, String cpu) {
        return (String.format("| %d | %.0f → %.0f (%d writes, %d errors) | %s / %s | %d → %d | %s | **%s** | %s | %d (not ready: %d) | %s |\n",
                r.watchers(), r.targetRate(), r.achievedRate(), r.writes(), r.writeErrors(), Stats.ms(r.write().p50()), Stats.ms(r.write().p99()),
                r.expected(), r.delivered(), Stats.ms(r.delivery().p50()), Stats.ms(r.delivery().p99()), Stats.ms(r.delivery().max()),
                r.watchersEnded(), r.watchersNotReady(), cpu));
    }

    // ---- 3: labelSelector list ----------------------------------------------------------------------

    private void list() throws Exception {
        String db = "bench_" + runId + "_list";
        pg.createDatabase(db);
        int runs = (int) num("list-runs", 60);
        try (Server server = Server.start(repo, work.resolve("list"), pg.endpoint(db))) {
            Api api = server.api;
            for (String ns : List.of("big", "mixed")) {
                api.ensureNamespace(ns);
            }
            for (int i = 0; i < 10; i++) {
                var r = api.post("/api/v1/namespaces/big/pods", Creates.pod(String.format("web-%05d", i), "web"));
                if (r.statusCode() != 201) {
                    throw new IllegalStateException("pod create: " + r.statusCode() + " " + r.body());
                }
            }
            String path = "/api/v1/namespaces/big/pods?labelSelector=app=web";
            log("list baseline, 10 pods stored");
            Lists.Result base = Lists.run(api, path, 5, runs, 120);
            String baseSql = Lists.sqlFloor(pg, db, "big", 10);

            log("bulk load of 99,990 pods into objects");
            List<Lists.PodSpec> pods = new ArrayList<>();
            for (int i = 10; i < 3000; i++) {
                pods.add(new Lists.PodSpec("big", String.format("web-%05d", i), "web"));
            }
            for (int i = 0; i < 10_000; i++) {
                pods.add(new Lists.PodSpec("mixed", String.format("pod-%05d", i), i < 3000 ? "web" : "db"));
            }
            for (int n = 0; n < 29; n++) {
                String ns = String.format("other-%02d", n);
                api.ensureNamespace(ns);
                for (int i = 0; i < 3000; i++) {
                    pods.add(new Lists.PodSpec(ns, String.format("pod-%05d", i), "web"));
                }
            }
            long l0 = System.nanoTime();
            Lists.bulkLoad(pg, db, new Lists.PodSpec("big", "web-00000", "web"), pods);
            double loadSeconds = (System.nanoTime() - l0) / 1e9;
            long total = Lists.countPaged(api, "/api/v1/pods");

            log("list, 100,000 pods stored");
            Cpu.Snapshot c0 = Cpu.snapshot(server.pid);
            server.jfrStart("list");
            Lists.Result big = Lists.run(api, path, 3, runs, 300);
            Cpu.Usage cpu = Cpu.between(c0, Cpu.snapshot(server.pid));
            String profile = Profile.summarise(server.jfrStop("list"), 12);
            String bigSql = Lists.sqlFloor(pg, db, "big", 10);
            Lists.Result mixed = Lists.run(api, "/api/v1/namespaces/mixed/pods?labelSelector=app=web", 3, runs, 300);
            String mixedSql = Lists.sqlFloor(pg, db, "mixed", 10);
            Lists.Result all = Lists.run(api, "/api/v1/namespaces/big/pods", 1, Math.max(5, runs / 3), 300);

            md.append("### 3. labelSelector list\n\n");
            md.append(String.format("Pods as `Creates.pod` builds them (the fields kube-apiserver defaults sent explicitly, as Coracle's pod "
                    + "strategy is still a stub that defaults nothing). 10 created through the API in namespace `big`; the other 99,990 "
                    + "written straight into `objects` in %.1f s, copying the stored row of `big/web-00000` (body and attrs, with name, "
                    + "namespace, `app` label, uid and resourceVersion replaced; revisions taken as one block from the counter row; then "
                    + "`VACUUM ANALYZE objects`, as autovacuum would). Layout: `big` = 3,000 pods, all `app=web`; `mixed` = 10,000 pods, "
                    + "3,000 `app=web`; 29 other namespaces × 3,000. The API then lists %d pods in total. Sequential GETs, timed to the last "
                    + "byte, after warm-up.\n\n", loadSeconds, total));
            md.append("| Pods stored | Request | Items | Bytes | Runs | p50 ms | p99 ms | The server's SQL run directly |\n|---|---|---|---|---|---|---|---|\n");
            listRow("10", base, baseSql);
            listRow("100,000", big, bigSql);
            listRow("100,000", mixed, mixedSql);
            listRow("100,000", all, "");
            md.append("\nCPU during the 100,000-pod `big` runs: ").append(cpu.describe()).append(". Where the server's CPU went:\n\n")
                    .append(profile).append('\n');
            summary.add(String.format("| 3. List `big?labelSelector=app=web`, 3,000 of 100,000 pods (p50/p99) | %s / %s ms | 10 pods stored: %s / %s ms | ≤ 200 ms | %s |",
                    Stats.ms(big.latency().p50()), Stats.ms(big.latency().p99()), Stats.ms(base.latency().p50()), Stats.ms(base.latency().p99()),
                    big.latency().p99() <= 200 ? "yes" : "**no**"));
        } finally {
            pg.dropDatabase(db);
        }
    }

    private void listRow(String stored, Lists.Result r, String sql) {
        md.append(String.format("| %s | `GET %s` | %d | %d | %d | %s | %s | %s |\n", stored, r.path(), r.items(), r.bytes(), r.runs(),
                Stats.ms(r.latency().p50()), Stats.ms(r.latency().p99()), sql));
    }

    // ---- 4: memory ----------------------------------------------------------------------------------

    private void memory() throws Exception {
        String db = "bench_" + runId + "_memory";
        pg.createDatabase(db);
        int pods = (int) num("memory-pods", 10_000);
        int clients = (int) num("clients", 16);
        try (Server server = Server.start(repo, work.resolve("memory"), pg.endpoint(db))) {
            Api api = server.api;
            log("memory: idle");
            api.get("/api/v1/pods");
            Server.sleep(Duration.ofSeconds(15));
            server.gc();
            Server.sleep(Duration.ofSeconds(10));
            double idle = server.rssMiB();
            String idleHeap = server.heapInfo();

            log("memory: creating " + pods + " pods through the API");
            api.ensureNamespace("mem");
            Creates.Result created = Creates.run(api, "/api/v1/namespaces/mem/pods",
                    n -> Creates.pod(String.format("pod-%05d", n), n % 3 == 0 ? "web" : "db"), clients, 600, pods, new AtomicLong());
            double afterCreates = server.rssMiB();
            long t0 = System.nanoTime();
            var list = api.getBytes("/api/v1/pods");
            double listMs = (System.nanoTime() - t0) / 1e6;
            int items = Lists.count(new String(list.body(), java.nio.charset.StandardCharsets.UTF_8), "\"uid\":\"");
            double afterList = server.rssMiB();
            // what the JVM gives back by itself once idle (the launcher's G1PeriodicGCInterval), before asking it to
            int idleSeconds = (int) num("memory-idle-seconds", 75);
            Server.sleep(Duration.ofSeconds(idleSeconds));
            double idleAfterList = server.rssMiB();
            server.gc();
            Server.sleep(Duration.ofSeconds(10));
            double settled = server.rssMiB();
            String settledHeap = server.heapInfo();
            String nmt = server.nativeMemory();
            String histogram = server.histogram(15);

            md.append("### 4. Control-plane memory\n\n");
            md.append(String.format("VmRSS of the server JVM from /proc/PID/status, the JVM with the launcher's defaults (`./coracle`'s JVM options, "
                    + "or CORACLE_JAVA_OPTS when set). \"Settled\" = `jcmd PID GC.run` then 10 s. %d pods created through the API (%d clients, %.0f creates/s, %d errors), "
                    + "then a full `GET /api/v1/pods` (%d items, %d bytes, %.0f ms).\n\n", created.created(), clients, created.rate(),
                    created.errors(), items, list.body().length, listMs));
            md.append("| State | RSS MiB | Heap after GC (jcmd GC.heap_info) |\n|---|---|---|\n");
            md.append(String.format("| Idle, nothing stored, settled | %.0f | `%s` |\n", idle, idleHeap));
            md.append(String.format("| Right after %d creates | %.0f | |\n", created.created(), afterCreates));
            md.append(String.format("| Right after the full list | %.0f | |\n", afterList));
            md.append(String.format("| %d s after the list, idle, no explicit GC | %.0f | |\n", idleSeconds, idleAfterList));
            md.append(String.format("| **%d pods stored, after the list, settled** | **%.0f** (= %.0f MB) | `%s` |\n\n", items, settled,
                    settled * 1.048576, settledHeap));
            md.append("What the heap holds, settled (`jcmd PID GC.class_histogram`, live objects, the biggest classes):\n\n```\n")
                    .append(histogram).append("```\n\n");
            if (nmt != null) {
                md.append("Native memory tracking (`CORACLE_JAVA_OPTS=").append(System.getenv("CORACLE_JAVA_OPTS"))
                        .append("`, diagnostic only), committed, settled:\n\n```\n").append(nmt).append("```\n\n");
            }
            summary.add(String.format("| 4. Server RSS, %d pods stored, after full list + GC | %.0f MiB (%.0f MB) | idle, nothing stored: %.0f MiB | ≤ 512 MB | %s |",
                    items, settled, settled * 1.048576, idle, settled * 1.048576 <= 512 ? "yes"
                            : settled <= 512 ? "**no** in MB (yes if MiB was meant)" : "**no**"));
        } finally {
            pg.dropDatabase(db);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private static String sh(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            return out;
        } catch (Exception e) {
            return "?";
        }
    }

    private static void log(String message) {
        System.err.println("[bench " + java.time.LocalTime.now().withNano(0) + "] " + message);
    }
}
