package dev.coracle.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * Closed-loop creates through the API: {@code clients} threads, each with its own keep-alive connection, POSTing the next
 * object as soon as the last returned.
 */
final class Creates {

    record Result(int clients, long created, long errors, double seconds, Stats latency, String firstError) {
        double rate() {
            return created / seconds;
        }
    }

    private Creates() {
    }

    /**
     * @param path   the collection to POST to
     * @param body   the JSON body for the n-th object
     */
    static Result run(Api api, String path, LongFunction<String> body, int clients, double seconds, long max, AtomicLong seq)
            throws InterruptedException {
        Stats latency = new Stats();
        AtomicLong created = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        String[] firstError = new String[1];
        long stopAt = seq.get() + max;
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < clients; t++) {
            Thread th = new Thread(() -> {
                try (Connection connection = new Connection(api)) {
                    while (System.nanoTime() < deadline) {
                        long n = seq.incrementAndGet();
                        if (n > stopAt) {
                            break;
                        }
                        String json = body.apply(n);
                        long t0 = System.nanoTime();
                        try {
                            Connection.Response r = connection.post(path, json);
                            long dt = System.nanoTime() - t0;
                            if (r.status() == 201) {
                                latency.add(dt);
                                created.incrementAndGet();
                            } else {
                                errors.incrementAndGet();
                                synchronized (firstError) {
                                    if (firstError[0] == null) {
                                        firstError[0] = r.status() + " " + r.body();
                                    }
                                }
                            }
                        } catch (Exception e) {
                            errors.incrementAndGet();
                            synchronized (firstError) {
                                if (firstError[0] == null) {
                                    firstError[0] = e.toString();
                                }
                            }
                        }
                    }
                }
            }, "create-client-" + t);
            th.start();
            threads.add(th);
        }
        for (Thread th : threads) {
            th.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        return new Result(clients, created.get(), errors.get(), elapsed, latency, firstError[0]);
    }

    static String configMap(long n, String padding) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm-" + n
                + "\",\"labels\":{\"app\":\"bench\"}},\"data\":{\"payload\":\"" + padding + "\"}}";
    }

    /**
     * A Pod the size of a real one: the fields kube-apiserver would have defaulted are sent explicitly, since
     * Coracle's pod strategy does not default them yet.
     */
    static String pod(String name, String app) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"app\":\"" + app
                + "\",\"tier\":\"frontend\",\"pod-template-hash\":\"7d9f8c6b5\"}},"
                + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx:1.27\",\"imagePullPolicy\":\"IfNotPresent\","
                + "\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}],"
                + "\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":\"64Mi\"},\"limits\":{\"memory\":\"128Mi\"}},"
                + "\"env\":[{\"name\":\"MODE\",\"value\":\"production\"}],"
                + "\"terminationMessagePath\":\"/dev/termination-log\",\"terminationMessagePolicy\":\"File\"}],"
                + "\"restartPolicy\":\"Always\",\"terminationGracePeriodSeconds\":30,\"dnsPolicy\":\"ClusterFirst\","
                + "\"serviceAccountName\":\"default\",\"schedulerName\":\"default-scheduler\",\"enableServiceLinks\":true,"
                + "\"preemptionPolicy\":\"PreemptLowerPriority\",\"priority\":0,"
                + "\"tolerations\":[{\"key\":\"node.kubernetes.io/not-ready\",\"operator\":\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":300},"
                + "{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":300}]}}";
    }
}
