package dev.coracle.e2e;

import dev.coracle.testsupport.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two control planes on one PostgreSQL, as two k3s servers on one datastore: the first leads the
 * controllers; killed in the middle of a rollout, the second takes the lease over and finishes it.
 */
class LeaderElectionTest {

    private static final String NS = "ha";
    private static final String LEASE = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager";

    @TempDir
    Path work;

    private TestPostgres database;
    private ServerProcess first;
    private ServerProcess second;
    private final AtomicBoolean kubeletRunning = new AtomicBoolean(true);

    @AfterEach
    void stopEverything() {
        kubeletRunning.set(false);
        for (ServerProcess s : new ServerProcess[]{first, second}) {
            if (s != null) {
                s.close();
            }
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void whenTheLeaderDiesTheOtherServerTakesOverAndTheRolloutCompletes() throws Exception {
        Assumptions.assumeTrue(TestPostgres.available(), "needs CORACLE_TEST_POSTGRES (./coracle test)");
        database = TestPostgres.newDatabase("e2e_leader");
        String[] flags = {"--token", "e2e-ha", "--coracle.controllers.lease-duration=6s", "--coracle.controllers.renew-interval=1s"};
        first = ServerProcess.server("leader-a", Files.createDirectories(work.resolve("a")))
                .datastore(database.endpoint()).flags(flags).launch().awaitReady();
        ApiClient a = new ApiClient(first.kubeconfig());
        await().atMost(Duration.ofSeconds(60)).until(() -> a.get(LEASE).status() == 200);
        String firstHolder = a.get(LEASE).expect(200).path("spec").path("holderIdentity").asString();

        second = ServerProcess.server("leader-b", Files.createDirectories(work.resolve("b")))
                .datastore(database.endpoint()).flags(flags).launch().awaitReady();
        ApiClient b = new ApiClient(second.kubeconfig());
        assertThat(b.get(LEASE).expect(200).path("spec").path("holderIdentity").asString())
                .as("the second server stands by while the first renews").isEqualTo(firstHolder);

        a.post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + NS + "\"}}").expect(201);
        a.post("/apis/apps/v1/namespaces/" + NS + "/deployments", deployment("nginx:1.26")).expect(201);
        Thread kubelet = playKubelet(b);
        await().atMost(Duration.ofSeconds(90)).until(() -> rolledOut(b, 1));

        // a new image, and the leader dies as the rollout starts
        a.mergePatch("/apis/apps/v1/namespaces/" + NS + "/deployments/web",
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.27\"}]}}}}").expect(200);
        first.killHard();

        await().atMost(Duration.ofSeconds(30)).until(() ->
                !firstHolder.equals(b.get(LEASE).expect(200).path("spec").path("holderIdentity").asString()));
        await().atMost(Duration.ofSeconds(120)).until(() -> rolledOut(b, 2));

        JsonNode rs = b.get("/apis/apps/v1/namespaces/" + NS + "/replicasets").expect(200);
        long atTwo = 0;
        long atZero = 0;
        for (JsonNode item : rs.path("items")) {
            int replicas = item.path("spec").path("replicas").asInt();
            atTwo += replicas == 2 ? 1 : 0;
            atZero += replicas == 0 ? 1 : 0;
        }
        assertThat(atTwo).as("the new ReplicaSet holds both replicas").isEqualTo(1);
        assertThat(atZero).as("the old ReplicaSet is scaled to zero").isEqualTo(1);
        kubeletRunning.set(false);
        kubelet.join(5000);
    }

    /** The Deployment's status says the given generation is rolled out: all replicas updated and available. */
    private static boolean rolledOut(ApiClient api, long generation) {
        JsonNode d = api.get("/apis/apps/v1/namespaces/" + NS + "/deployments/web").expect(200);
        JsonNode status = d.path("status");
        return d.path("metadata").path("generation").asLong() == generation
                && status.path("observedGeneration").asLong() == generation
                && status.path("updatedReplicas").asInt() == 2
                && status.path("availableReplicas").asInt() == 2
                && status.path("replicas").asInt() == 2;
    }

    /** Plays the kubelet through the API: every pod in the namespace turns Running and Ready; deleted pods go. */
    private Thread playKubelet(ApiClient api) {
        Thread t = new Thread(() -> {
            while (kubeletRunning.get()) {
                try {
                    for (JsonNode pod : api.get("/api/v1/namespaces/" + NS + "/pods").expect(200).path("items")) {
                        String name = pod.path("metadata").path("name").asString();
                        if (!pod.path("metadata").path("deletionTimestamp").isMissingNode()) {
                            api.send("DELETE", "/api/v1/namespaces/" + NS + "/pods/" + name, "{\"gracePeriodSeconds\":0}", "application/json");
                        } else if (!"Running".equals(pod.path("status").path("phase").asString(""))) {
                            api.mergePatch("/api/v1/namespaces/" + NS + "/pods/" + name + "/status",
                                    "{\"status\":{\"phase\":\"Running\",\"podIP\":\"10.42.0.9\",\"conditions\":[{\"type\":\"Ready\","
                                            + "\"status\":\"True\"}]}}");
                        }
                    }
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // a server may be restarting: the next round retries
                }
            }
        }, "fake-kubelet");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static String deployment(String image) {
        return "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\"},\"spec\":{\"replicas\":2,"
                + "\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},"
                + "\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"" + image + "\"}]}}}}";
    }

}
