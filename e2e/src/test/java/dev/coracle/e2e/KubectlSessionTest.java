package dev.coracle.e2e;

import dev.coracle.testsupport.Https;
import dev.coracle.testsupport.Ports;
import dev.coracle.testsupport.ServerProcess;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A user's first session with Coracle, typed with the real kubectl against {@code ./coracle server}
 * (embedded store): the methods run in order, like the commands of one terminal session, and each
 * asserts what kubectl prints and how it exits, as it would against Kubernetes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubectlSessionTest {

    private static final Duration WATCH_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    static Path work;

    private ServerProcess server;
    private Kubectl kubectl;

    @BeforeAll
    void startServer() throws IOException {
        // C1 only: a quicker start for a server that answers a few dozen commands, not a load test
        server = ServerProcess.server("kubectl-session", Files.createDirectories(work.resolve("server")))
                .javaOpts("-XX:TieredStopAtLevel=1 -XX:+UseSerialGC").start();
        kubectl = new Kubectl(server.kubeconfig(), Files.createDirectories(work.resolve("user")));
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Order(1)
    void getNamespacesShowsTheBuiltInOnes() {
        // the server creates them just after it starts listening; a user typing the command would not be faster
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> kubectl.run("get", "ns").stdout().contains("kube-system"));
        Table ns = kubectl.run("get", "ns").ok().table();

        assertThat(ns.columns()).containsExactly("NAME", "STATUS", "AGE");
        assertThat(ns.column("NAME")).containsExactly("default", "kube-node-lease", "kube-public", "kube-system");
        assertThat(ns.column("STATUS")).containsOnly("Active");
    }

    @Test
    @Order(2)
    void createNamespaceAndDeployment() {
        assertThat(kubectl.run("create", "namespace", "demo").ok().stdout()).isEqualTo("namespace/demo created\n");
        assertThat(kubectl.run("create", "namespace", "demo").fails().stderr())
                .isEqualTo("Error from server (AlreadyExists): namespaces \"demo\" already exists\n");

        // the Deployment gets a namespace of its own: its controller's pods would crowd the pod listings in demo
        assertThat(kubectl.run("create", "namespace", "shop").ok().stdout()).isEqualTo("namespace/shop created\n");
        assertThat(kubectl.run("-n", "shop", "create", "deployment", "web", "--image=nginx", "--replicas=2").ok().stdout())
                .isEqualTo("deployment.apps/web created\n");

        Table wide = kubectl.run("-n", "shop", "get", "deploy", "-o", "wide").ok().table();
        assertThat(wide.columns()).containsExactly("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR");
        Map<String, String> web = wide.row("web");
        assertThat(web.get("READY")).isEqualTo("0/2"); // no node runs the pods
        assertThat(web.get("AVAILABLE")).isEqualTo("0");
        assertThat(web.get("CONTAINERS")).isEqualTo("nginx");
        assertThat(web.get("IMAGES")).isEqualTo("nginx");
        assertThat(web.get("SELECTOR")).isEqualTo("app=web");
        assertThat(web.get("AGE")).matches("\\d+s");
    }

    @Test
    @Order(3)
    void getDeploymentAsYamlJsonAndJsonpath() {
        JsonNode yaml = new YAMLMapper().readTree(kubectl.run("-n", "shop", "get", "deploy", "web", "-o", "yaml").ok().stdout());
        assertThat(yaml.path("apiVersion").asString()).isEqualTo("apps/v1");
        assertThat(yaml.path("kind").asString()).isEqualTo("Deployment");
        assertThat(yaml.path("metadata").path("namespace").asString()).isEqualTo("shop");
        assertThat(yaml.path("metadata").path("resourceVersion").asString()).matches("\\d+");
        assertThat(yaml.path("spec").path("replicas").asInt()).isEqualTo(2);
        assertThat(yaml.path("spec").path("strategy").path("type").asString()).isEqualTo("RollingUpdate");
        assertThat(yaml.path("spec").path("strategy").path("rollingUpdate").path("maxSurge").asString()).isEqualTo("25%");
        JsonNode container = yaml.path("spec").path("template").path("spec").path("containers").path(0);
        assertThat(container.path("name").asString()).isEqualTo("nginx");
        assertThat(container.path("image").asString()).isEqualTo("nginx");
        assertThat(container.path("imagePullPolicy").asString()).isEqualTo("Always"); // the :latest default

        JsonNode json = new JsonMapper().readTree(kubectl.run("-n", "shop", "get", "deploy", "web", "-o", "json").ok().stdout());
        assertThat(json.path("metadata").path("labels").path("app").asString()).isEqualTo("web");
        assertThat(json.path("spec").path("selector").path("matchLabels").path("app").asString()).isEqualTo("web");
        assertThat(json.path("metadata").path("uid").asString()).isEqualTo(yaml.path("metadata").path("uid").asString());

        assertThat(kubectl.run("-n", "shop", "get", "deploy", "web", "-o", "jsonpath={.spec.replicas}").ok().stdout()).isEqualTo("2");
    }

    @Test
    @Order(4)
    void podsWithLabelsAndSelectors() throws IOException {
        assertThat(kubectl.run("-n", "demo", "run", "prod", "--image=nginx", "--labels=env=production").ok().stdout())
                .isEqualTo("pod/prod created\n");
        Path qa = write("qa-pod.yaml", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: qa
                  namespace: demo
                  labels:
                    env: qa
                spec:
                  containers:
                  - name: app
                    image: nginx
                """);
        assertThat(kubectl.run("apply", "-f", qa.toString()).ok().stdout()).isEqualTo("pod/qa created\n");

        Table all = kubectl.run("-n", "demo", "get", "pods").ok().table();
        assertThat(all.columns()).containsExactly("NAME", "READY", "STATUS", "RESTARTS", "AGE");
        assertThat(all.column("NAME")).containsExactly("prod", "qa");
        assertThat(all.row("prod")).containsEntry("READY", "0/1").containsEntry("STATUS", "Pending").containsEntry("RESTARTS", "0");

        assertThat(kubectl.run("-n", "demo", "get", "pods", "-l", "env in (production)").ok().table().column("NAME"))
                .containsExactly("prod");
        assertThat(kubectl.run("-n", "demo", "get", "pods", "-l", "env=qa").ok().table().column("NAME"))
                .containsExactly("qa");
        assertThat(kubectl.run("-n", "demo", "get", "pods", "-l", "env notin (production,qa)").ok().stderr())
                .isEqualTo("No resources found in demo namespace.\n");

        Table labels = kubectl.run("-n", "demo", "get", "pods", "--show-labels").ok().table();
        assertThat(labels.columns()).containsExactly("NAME", "READY", "STATUS", "RESTARTS", "AGE", "LABELS");
        assertThat(labels.row("prod").get("LABELS")).isEqualTo("env=production");
        assertThat(labels.row("qa").get("LABELS")).isEqualTo("env=qa");

        Table env = kubectl.run("-n", "demo", "get", "pods", "-L", "env").ok().table();
        assertThat(env.columns()).containsExactly("NAME", "READY", "STATUS", "RESTARTS", "AGE", "ENV");
        assertThat(env.column("ENV")).containsExactly("production", "qa");
    }

    @Test
    @Order(5)
    void describePod() {
        String describe = kubectl.run("-n", "demo", "describe", "pod", "prod").ok().stdout();

        assertThat(describe).containsPattern("(?m)^Name:\\s+prod$")
                .containsPattern("(?m)^Namespace:\\s+demo$")
                .containsPattern("(?m)^Labels:\\s+env=production$")
                .containsPattern("(?m)^Status:\\s+Pending$")
                .containsPattern("(?m)^Node:\\s+<none>$")
                .containsPattern("(?m)^Containers:\\n  prod:\\n    Image:\\s+nginx$")
                .containsPattern("(?m)^QoS Class:\\s+BestEffort$");
    }

    @Test
    @Order(6)
    void applyTwiceIsUnchangedThenConfigured() throws IOException {
        String manifest = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: settings
                  namespace: demo
                data:
                  color: %s
                """;
        Path file = write("settings.yaml", manifest.formatted("blue"));
        assertThat(kubectl.run("apply", "-f", file.toString()).ok().stdout()).isEqualTo("configmap/settings created\n");
        String created = resourceVersion("configmap", "settings");

        assertThat(kubectl.run("apply", "-f", file.toString()).ok().stdout()).isEqualTo("configmap/settings unchanged\n");
        assertThat(resourceVersion("configmap", "settings")).isEqualTo(created);

        write("settings.yaml", manifest.formatted("green"));
        assertThat(kubectl.run("apply", "-f", file.toString()).ok().stdout()).isEqualTo("configmap/settings configured\n");
        assertThat(jsonpath("configmap", "settings", "{.data.color}")).isEqualTo("green");
        assertThat(Long.parseLong(resourceVersion("configmap", "settings"))).isGreaterThan(Long.parseLong(created));
        assertThat(jsonpath("configmap", "settings", "{.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}"))
                .contains("\"color\":\"green\"");
    }

    @Test
    @Order(7)
    void applyServerSide() {
        String manifest = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: settings
                  namespace: demo
                data:
                  color: %s
                """;
        assertThat(kubectl.runWithStdin(manifest.formatted("red"), "apply", "--server-side", "-f", "-").ok().stdout())
                .isEqualTo("configmap/settings serverside-applied\n");
        assertThat(jsonpath("configmap", "settings", "{.data.color}")).isEqualTo("red");
        assertThat(jsonpath("configmap", "settings", "{.metadata.managedFields[?(@.operation==\"Apply\")].manager}"))
                .contains("kubectl");

        // another manager wanting the same field conflicts, as on Kubernetes, unless it forces
        Kubectl.Result conflict = kubectl.runWithStdin(manifest.formatted("yellow"),
                "apply", "--server-side", "--field-manager=ops", "-f", "-").fails();
        assertThat(conflict.stderr()).startsWith("error: Apply failed with 1 conflict: conflict with \"kubectl\"")
                .contains(".data.color");
        assertThat(jsonpath("configmap", "settings", "{.data.color}")).isEqualTo("red");

        assertThat(kubectl.runWithStdin(manifest.formatted("yellow"),
                "apply", "--server-side", "--field-manager=ops", "--force-conflicts", "-f", "-").ok().stdout())
                .isEqualTo("configmap/settings serverside-applied\n");
        assertThat(jsonpath("configmap", "settings", "{.data.color}")).isEqualTo("yellow");
    }

    @Test
    @Order(8)
    void labelAndAnnotate() {
        assertThat(kubectl.run("-n", "demo", "label", "pod", "prod", "tier=frontend").ok().stdout()).isEqualTo("pod/prod labeled\n");
        assertThat(kubectl.run("-n", "demo", "annotate", "pod", "prod", "owner=alice").ok().stdout()).isEqualTo("pod/prod annotated\n");
        assertThat(jsonpath("pod", "prod", "{.metadata.labels.tier} {.metadata.annotations.owner}")).isEqualTo("frontend alice");

        assertThat(kubectl.run("-n", "demo", "label", "pod", "prod", "tier=backend").fails().stderr())
                .isEqualTo("error: 'tier' already has a value (frontend), and --overwrite is false\n");
        assertThat(kubectl.run("-n", "demo", "label", "pod", "prod", "tier=backend", "--overwrite").ok().stdout())
                .isEqualTo("pod/prod labeled\n");
        assertThat(kubectl.run("-n", "demo", "get", "pods", "-l", "tier=backend", "-o", "name").ok().stdout())
                .isEqualTo("pod/prod\n");
        assertThat(kubectl.run("-n", "demo", "label", "pod", "prod", "tier-").ok().stdout()).isEqualTo("pod/prod unlabeled\n");
        assertThat(kubectl.run("-n", "demo", "get", "pod", "prod", "--show-labels").ok().table().row("prod").get("LABELS"))
                .isEqualTo("env=production");
    }

    @Test
    @Order(9)
    void editWithAnEditorScript() throws IOException {
        Path editor = write("editor.sh", "#!/bin/sh\nsed -i 's/color: yellow/color: purple/' \"$1\"\n");
        Files.setPosixFilePermissions(editor, PosixFilePermissions.fromString("rwx------"));

        assertThat(kubectl.run(Map.of("KUBE_EDITOR", editor.toString()), null, "-n", "demo", "edit", "configmap", "settings")
                .ok().stdout()).isEqualTo("configmap/settings edited\n");
        assertThat(jsonpath("configmap", "settings", "{.data.color}")).isEqualTo("purple");

        // an editor that changes nothing
        assertThat(kubectl.run(Map.of("KUBE_EDITOR", "true"), null, "-n", "demo", "edit", "configmap", "settings")
                .ok().stderr()).isEqualTo("Edit cancelled, no changes made.\n");
    }

    @Test
    @Order(10)
    void watchSeesAddedModifiedDeleted() {
        try (Kubectl.Background watch = kubectl.start("-n", "demo", "get", "pods", "-w", "--output-watch-events")) {
            watch.awaitOutput(WATCH_TIMEOUT, out -> out.contains("ADDED") && out.contains(" qa "));

            kubectl.run("-n", "demo", "run", "tmp", "--image=busybox", "--labels=env=dev").ok();
            kubectl.run("-n", "demo", "label", "pod", "tmp", "step=two").ok();
            assertThat(kubectl.run("-n", "demo", "delete", "pod", "tmp").ok().stdout()).isEqualTo("pod \"tmp\" deleted\n");

            String out = watch.awaitOutput(WATCH_TIMEOUT, o -> o.lines().anyMatch(l -> l.matches("DELETED\\s+tmp\\s.*")));
            Table events = Table.parse(out);
            assertThat(events.columns()).containsExactly("EVENT", "NAME", "READY", "STATUS", "RESTARTS", "AGE");
            assertThat(events.rows().stream().filter(r -> !r.get("NAME").equals("tmp")).map(r -> r.get("EVENT") + " " + r.get("NAME")))
                    .containsExactlyInAnyOrder("ADDED prod", "ADDED qa");
            List<String> tmp = events.rows().stream().filter(r -> r.get("NAME").equals("tmp")).map(r -> r.get("EVENT")).toList();
            assertThat(tmp).first().isEqualTo("ADDED");
            assertThat(tmp).contains("MODIFIED");
            assertThat(tmp).last().isEqualTo("DELETED");
            assertThat(tmp).containsOnly("ADDED", "MODIFIED", "DELETED");
        }
    }

    @Test
    @Order(11)
    void deleteAnObject() throws IOException {
        Path qa = work.resolve("user").resolve("qa-pod.yaml");
        assertThat(kubectl.run("delete", "-f", qa.toString()).ok().stdout()).isEqualTo("pod \"qa\" deleted\n");
        assertThat(kubectl.run("-n", "demo", "get", "pod", "qa").fails().stderr())
                .isEqualTo("Error from server (NotFound): pods \"qa\" not found\n");
        assertThat(kubectl.run("-n", "demo", "delete", "pod", "qa").fails().stderr())
                .isEqualTo("Error from server (NotFound): pods \"qa\" not found\n");
        assertThat(kubectl.run("-n", "demo", "get", "pods").ok().table().column("NAME")).containsExactly("prod");
    }

    @Test
    @Order(12)
    void allNamespaces() {
        Table pods = kubectl.run("get", "pods", "-A").ok().table();
        assertThat(pods.columns()).containsExactly("NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE");
        assertThat(pods.rows()).anySatisfy(r -> assertThat(r).containsEntry("NAMESPACE", "demo").containsEntry("NAME", "prod"));

        Table services = kubectl.run("get", "services", "--all-namespaces").ok().table();
        assertThat(services.columns()).containsExactly("NAMESPACE", "NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE");
        assertThat(services.rows()).anySatisfy(r -> assertThat(r).containsEntry("NAMESPACE", "default")
                .containsEntry("NAME", "kubernetes").containsEntry("TYPE", "ClusterIP").containsEntry("CLUSTER-IP", "10.43.0.1")
                .containsEntry("EXTERNAL-IP", "<none>").containsEntry("PORT(S)", "443/TCP"));

        Table configMaps = kubectl.run("get", "configmaps", "-A", "--field-selector", "metadata.namespace=demo").ok().table();
        assertThat(configMaps.column("NAME")).contains("settings");
    }

    @Test
    @Order(13)
    void explainPodSpecContainers() {
        String explain = kubectl.run("explain", "pod.spec.containers").ok().stdout();

        assertThat(explain).containsPattern("(?m)^KIND:\\s+Pod$")
                .containsPattern("(?m)^VERSION:\\s+v1$")
                .containsPattern("(?m)^FIELD: containers <\\[\\]Container>$")
                .contains("DESCRIPTION:")
                .contains("List of containers belonging to the pod.")
                .containsPattern("(?m)^FIELDS:$")
                .containsPattern("(?m)^  image\\t<string>$")
                .containsPattern("(?m)^  name\\t<string> -required-$");
    }

    @Test
    @Order(14)
    void getAll() {
        List<Table> demo = Table.parseAll(kubectl.run("-n", "demo", "get", "all").ok().stdout());
        assertThat(demo).anySatisfy(t -> assertThat(t.column("NAME")).contains("pod/prod"));
        List<Table> shop = Table.parseAll(kubectl.run("-n", "shop", "get", "all").ok().stdout());
        assertThat(shop).anySatisfy(t -> assertThat(t.column("NAME")).contains("deployment.apps/web"));
        assertThat(shop).anySatisfy(t -> assertThat(t.column("NAME")).anyMatch(n -> n.startsWith("replicaset.apps/web-")));

        // the seed's `k get all` in default: the kubernetes Service
        Table defaults = Table.parse(kubectl.run("get", "all").ok().stdout());
        assertThat(defaults.columns()).containsExactly("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE");
        assertThat(defaults.row("service/kubernetes")).containsEntry("CLUSTER-IP", "10.43.0.1").containsEntry("PORT(S)", "443/TCP");
    }

    @Test
    @Order(15)
    void scaleDeployment() {
        assertThat(kubectl.run("-n", "shop", "scale", "deployment", "web", "--replicas=3").ok().stdout())
                .isEqualTo("deployment.apps/web scaled\n");
        assertThat(kubectl.run("-n", "shop", "get", "deployment", "web", "-o", "jsonpath={.spec.replicas}").ok().stdout()).isEqualTo("3");
        assertThat(kubectl.run("-n", "shop", "get", "deploy", "web").ok().table().row("web").get("READY")).isEqualTo("0/3");

        assertThat(kubectl.run("-n", "shop", "scale", "deployment", "web", "--current-replicas=2", "--replicas=5").fails().stderr())
                .isEqualTo("error: Expected replicas to be 2, was 3\n");
        assertThat(kubectl.run("-n", "shop", "get", "deployment", "web", "-o", "jsonpath={.spec.replicas}").ok().stdout()).isEqualTo("3");
    }

    @Test
    @Order(16)
    void kubectlProxy() throws Exception {
        int port = Ports.free();
        try (Kubectl.Background proxy = kubectl.start("proxy", "--port=" + port)) {
            proxy.awaitOutput(WATCH_TIMEOUT, out -> out.contains("Starting to serve on 127.0.0.1:" + port));
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

            HttpResponse<String> pods = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/v1/namespaces/default/pods")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(pods.statusCode()).isEqualTo(200);
            JsonNode list = new JsonMapper().readTree(pods.body());
            assertThat(list.path("kind").asString()).isEqualTo("PodList");
            assertThat(list.path("apiVersion").asString()).isEqualTo("v1");
            assertThat(list.path("metadata").path("resourceVersion").asString()).matches("\\d+");
            assertThat(list.path("items").isArray()).isTrue();

            HttpResponse<String> demo = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/v1/namespaces/demo/pods")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(new JsonMapper().readTree(demo.body()).path("items").path(0).path("metadata").path("name").asString())
                    .isEqualTo("prod");

            HttpResponse<String> api = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode versions = new JsonMapper().readTree(api.body());
            assertThat(versions.path("kind").asString()).isEqualTo("APIVersions");
            assertThat(versions.path("versions").path(0).asString()).isEqualTo("v1");
        }
    }

    @Test
    @Order(17)
    void requestsWithoutTokenAreUnauthorizedButHealthzIsOpen() throws Exception {
        HttpClient curl = Https.trustAllClient();

        HttpResponse<String> anonymous = curl.send(HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/namespaces")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        JsonNode status = new JsonMapper().readTree(anonymous.body());
        assertThat(status.path("kind").asString()).isEqualTo("Status");
        assertThat(status.path("status").asString()).isEqualTo("Failure");
        assertThat(status.path("reason").asString()).isEqualTo("Unauthorized");
        assertThat(status.path("code").asInt()).isEqualTo(401);

        HttpResponse<String> badToken = curl.send(HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/namespaces"))
                .header("Authorization", "Bearer not-the-token").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(badToken.statusCode()).isEqualTo(401);

        HttpResponse<String> healthz = curl.send(HttpRequest.newBuilder(URI.create(server.url() + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(healthz.statusCode()).isEqualTo(200);
        assertThat(healthz.body()).isEqualTo("ok");

        assertThat(kubectl.run("--token=not-the-token", "get", "ns").fails().stderr())
                .isEqualTo("error: You must be logged in to the server (Unauthorized)\n");
    }

    @Test
    @Order(18)
    void restartKeepsObjectsAndTheKubeconfigStillWorks() throws IOException {
        Path saved = Files.copy(server.kubeconfig(), work.resolve("kubeconfig-before-restart.yaml"));
        String uid = jsonpath("pod", "prod", "{.metadata.uid}");
        long lastRevision = Long.parseLong(new JsonMapper().readTree(kubectl.run("get", "--raw", "/api/v1/pods").ok().stdout())
                .path("metadata").path("resourceVersion").asString());

        server.restart();

        Kubectl sameUser = kubectl.withKubeconfig(saved);
        assertThat(sameUser.run("get", "ns").ok().table().column("NAME"))
                .containsExactly("default", "demo", "kube-node-lease", "kube-public", "kube-system", "shop");
        assertThat(sameUser.run("-n", "demo", "get", "pod", "prod", "-o", "jsonpath={.metadata.uid}").ok().stdout()).isEqualTo(uid);
        assertThat(sameUser.run("-n", "demo", "get", "configmap", "settings", "-o", "jsonpath={.data.color}").ok().stdout())
                .isEqualTo("purple");
        assertThat(sameUser.run("-n", "shop", "get", "deployment", "web", "-o", "jsonpath={.spec.replicas}").ok().stdout())
                .isEqualTo("3");
        assertThat(sameUser.run("-n", "demo", "get", "pods").ok().table().column("NAME")).containsExactly("prod");

        // revisions go on from where they were
        sameUser.run("-n", "demo", "label", "pod", "prod", "restarted=yes").ok();
        assertThat(Long.parseLong(sameUser.run("-n", "demo", "get", "pod", "prod", "-o", "jsonpath={.metadata.resourceVersion}")
                .ok().stdout())).isGreaterThan(lastRevision);
    }

    private String jsonpath(String kind, String name, String expression) {
        return kubectl.run("-n", "demo", "get", kind, name, "-o", "jsonpath=" + expression).ok().stdout();
    }

    private String resourceVersion(String kind, String name) {
        return jsonpath(kind, name, "{.metadata.resourceVersion}");
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(work.resolve("user").resolve(name), content);
    }
}
