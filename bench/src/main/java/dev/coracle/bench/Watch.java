package dev.coracle.bench;

import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Watch delivery: W watch streams spread over K namespaces, an open-loop writer creating ConfigMaps at R/s
 * spread over the same namespaces. Each object carries its send time (System.nanoTime() of this JVM, taken just
 * before the POST) in an annotation; each watcher records receipt minus send for every event of the run.
 */
final class Watch {

    static final String ANNOTATION = "bench.coracle.dev/sent";

    record Result(int watchers, int namespaces, double targetRate, double achievedRate, long writes, long writeErrors,
                  long expected, long delivered, int watchersEnded, int watchersNotReady, Stats delivery, Stats write,
                  double seconds) {
    }

    private Watch() {
    }

    /** Creates ConfigMaps named {@code prefix-i} at {@code rate}/s for {@code seconds}, round-robin over {@code ns}. */
    private static long pace(Api api, List<String> ns, String prefix, double rate, double seconds, String padding, Semaphore inFlight,
                             Stats write, AtomicLong writeErrors, long[] perNamespace) throws InterruptedException {
        long intervalNanos = (long) (1e9 / rate);
        long total = (long) (rate * seconds);
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long sent = 0;
        for (long i = 0; i < total && System.nanoTime() < end; i++) {
            long due = start + i * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            if (!inFlight.tryAcquire(10, TimeUnit.SECONDS)) {
                break; // the server stopped answering
            }
            int n = (int) (i % ns.size());
            perNamespace[n]++;
            long t0 = System.nanoTime();
            String json = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + prefix + "-" + i
                    + "\",\"annotations\":{\"" + ANNOTATION + "\":\"" + t0 + "\"}},\"data\":{\"payload\":\"" + padding + "\"}}";
            sent++;
            api.postAsync("/api/v1/namespaces/" + ns.get(n) + "/configmaps", json).whenComplete((r, e) -> {
                inFlight.release();
                if (e != null || r.statusCode() != 201) {
                    writeErrors.incrementAndGet();
                } else {
                    write.add(System.nanoTime() - t0);
                }
            });
        }
        return sent;
    }

    private static final class Watcher implements Flow.Subscriber<String> {
        final String run;
        final Stats delivery;
        final AtomicLong received = new AtomicLong();
        volatile boolean ended;
        volatile boolean measuring;
        volatile Flow.Subscription subscription;

        Watcher(String run, Stats delivery) {
            this.run = run;
            this.delivery = delivery;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            long now = System.nanoTime();
            received.incrementAndGet();
            if (!measuring || !line.contains(run)) {
                return;
            }
            int at = line.indexOf(ANNOTATION + "\":\"");
            if (at < 0) {
                return;
            }
            int from = at + ANNOTATION.length() + 3;
            int to = line.indexOf('"', from);
            delivery.add(now - Long.parseLong(line.substring(from, to)));
        }

        @Override
        public void onError(Throwable t) {
            ended = true;
        }

        @Override
        public void onComplete() {
            ended = true;
        }
    }

    /**
     * Writes at {@code rate} for {@code seconds}, unmeasured, so a fresh server has compiled its write and watch paths
     * (the JIT is still at it for tens of seconds) before anything is timed; as the creates benchmark warms up too.
     */
    static void warmUp(Api api, int namespaces, double rate, double seconds, String padding) throws Exception {
        Semaphore inFlight = new Semaphore(256);
        pace(api, namespaces(api, namespaces), "jit-warm-up", rate, seconds, padding, inFlight, new Stats(), new AtomicLong(),
                new long[namespaces]);
        inFlight.tryAcquire(256, 60, TimeUnit.SECONDS);
    }

    private static List<String> namespaces(Api api, int namespaces) throws Exception {
        List<String> ns = new ArrayList<>();
        for (int i = 0; i < namespaces; i++) {
            ns.add(String.format("watch-%02d", i));
            api.ensureNamespace(ns.get(i));
        }
        return ns;
    }

    static Result run(Api api, String tag, int watchers, int namespaces, double rate, double seconds, String padding)
            throws Exception {
        List<String> ns = namespaces(api, namespaces);
        long rv = Api.listRevision(api.get("/api/v1/namespaces/" + ns.get(0) + "/configmaps").body());
        String run = "run-" + tag;
        Stats delivery = new Stats();
        List<Watcher> all = new ArrayList<>();
        int clients = Math.max(1, Math.min(8, watchers / 64));
        List<HttpClient> httpClients = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            httpClients.add(api.newClient());
        }
        long timeout = (long) seconds + 120;
        for (int i = 0; i < watchers; i++) {
            Watcher w = new Watcher(run, delivery);
            all.add(w);
            api.watch(httpClients.get(i % clients), "/api/v1/namespaces/" + ns.get(i % namespaces)
                    + "/configmaps?watch=1&resourceVersion=" + rv + "&timeoutSeconds=" + timeout, w)
                    .whenComplete((r, e) -> {
                        if (e != null || r.statusCode() != 200) {
                            w.ended = true;
                        }
                    });
        }
        // one object per namespace; every watcher has to see it before the measured run starts
        for (String n : ns) {
            api.post("/api/v1/namespaces/" + n + "/configmaps", Creates.configMap(System.nanoTime(), "warm").replace("\"cm-", "\"warm-" + tag + "-"));
        }
        long readyDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < readyDeadline && all.stream().anyMatch(w -> w.received.get() == 0 && !w.ended)) {
            Thread.sleep(100);
        }
        int notReady = (int) all.stream().filter(w -> w.received.get() == 0).count();
        all.forEach(w -> w.measuring = true);

        Stats write = new Stats();
        AtomicLong writeErrors = new AtomicLong();
        Semaphore inFlight = new Semaphore(256);
        // warm-up at the same rate (connections opened, JIT warm), not measured; then let it drain
        pace(api, ns, "pre-" + tag, rate, Math.min(3, seconds), padding, inFlight, new Stats(), new AtomicLong(), new long[namespaces]);
        inFlight.tryAcquire(256, 60, TimeUnit.SECONDS);
        inFlight.release(256);
        Thread.sleep(500);
        long[] perNamespace = new long[namespaces];
        long start = System.nanoTime();
        long sent = pace(api, ns, run, rate, seconds, padding, inFlight, write, writeErrors, perNamespace);
        double elapsed = (System.nanoTime() - start) / 1e9;
        inFlight.tryAcquire(256, 60, TimeUnit.SECONDS);
        long expected = 0;
        for (int i = 0; i < watchers; i++) {
            expected += perNamespace[i % namespaces];
        }
        expected -= writeErrors.get() * watchers / namespaces;
        long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < drainDeadline && delivery.count() < expected) {
            Thread.sleep(100);
        }
        int ended = (int) all.stream().filter(w -> w.ended).count();
        for (Watcher w : all) {
            if (w.subscription != null) {
                w.subscription.cancel();
            }
        }
        return new Result(watchers, namespaces, rate, sent / elapsed, sent, writeErrors.get(), expected, delivery.count(),
                ended, notReady, delivery, write, elapsed);
    }
}
