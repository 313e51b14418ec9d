package dev.coracle.server.openapi;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The real kubectl (v1.32, chosen by the dispatcher from {@code /version}) against the OpenAPI documents. */
class OpenApiKubectlTest {

    private static final Path KUBECTL = Path.of("/usr/bin/kubectl");

    private static FakeApiServer server;

    @TempDir
    Path home;

    record Result(int exitCode, String out, String err) {
    }

    @BeforeAll
    static void start() throws IOException {
        assumeTrue(Files.isExecutable(KUBECTL), "kubectl is not installed at " + KUBECTL);
        server = new FakeApiServer(TestResourceTypes.KUBECTL);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private Result kubectl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(KUBECTL.toString());
        command.add("--server=" + server.url());
        command.add("--cache-dir=" + home.resolve("cache"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("HOME", home.toString());
        builder.environment().put("KUBECONFIG", home.resolve("no-kubeconfig").toString());
        builder.redirectOutput(home.resolve("stdout").toFile());
        builder.redirectError(home.resolve("stderr").toFile());
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 60s");
        }
        return new Result(process.exitValue(), Files.readString(home.resolve("stdout")),
                Files.readString(home.resolve("stderr")));
    }

    private Result succeeds(String... args) throws IOException, InterruptedException {
        Result result = kubectl(args);
        assertThat(result.exitCode()).as("exit code of kubectl %s; stderr: %s", String.join(" ", args), result.err())
                .isZero();
        assertThat(result.err()).as("stderr of kubectl %s", String.join(" ", args)).isBlank();
        return result;
    }

    private Path manifest(String name, String yaml) throws IOException {
        Path file = home.resolve(name);
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void explainPodContainersListsTheContainerFields() throws Exception {
        String out = succeeds("explain", "pod.spec.containers").out();
        assertThat(out).contains("KIND:       Pod", "VERSION:    v1", "FIELD: containers <[]Container>");
        assertThat(out).containsPattern("(?m)^  image\\s+<string>$");
        assertThat(out).contains("Container image name.");
        assertThat(out).containsPattern("(?m)^  name\\s+<string> -required-$");
        assertThat(out).containsPattern("(?m)^  ports\\s+<\\[\\]ContainerPort>$");
        assertThat(out).containsPattern("(?m)^  resources\\s+<ResourceRequirements>$");
    }

    @Test
    void explainPodShowsItsTopLevelFields() throws Exception {
        String out = succeeds("explain", "pod").out();
        assertThat(out).contains("KIND:       Pod");
        assertThat(out).containsPattern("(?m)^  metadata\\s+<ObjectMeta>$");
        assertThat(out).containsPattern("(?m)^  spec\\s+<PodSpec>$");
        assertThat(out).containsPattern("(?m)^  status\\s+<PodStatus>$");
    }

    @Test
    void explainDeploymentStrategyListsRollingUpdate() throws Exception {
        String out = succeeds("explain", "deployment.spec.strategy").out();
        assertThat(out).contains("GROUP:      apps", "KIND:       Deployment", "VERSION:    v1",
                "FIELD: strategy <DeploymentStrategy>");
        assertThat(out).containsPattern("(?m)^  rollingUpdate\\s+<RollingUpdateDeployment>$");
        assertThat(out).containsOnlyOnce("DeploymentStrategy describes how to replace existing pods with new ones.");
        assertThat(out).containsPattern("(?m)^  type\\s+<string>$");
    }

    @Test
    void explainByShortNameFindsTheDeployment() throws Exception {
        String out = succeeds("explain", "deploy.spec.strategy.rollingUpdate").out();
        assertThat(out).containsPattern("(?m)^  maxSurge\\s+<IntOrString>$");
        assertThat(out).containsPattern("(?m)^  maxUnavailable\\s+<IntOrString>$");
    }

    @Test
    void explainRecursiveWalksNestedFields() throws Exception {
        String out = succeeds("explain", "pods.spec.containers", "--recursive").out();
        assertThat(out).containsPattern("(?m)^  ports\\s+<\\[\\]ContainerPort>$");
        assertThat(out).containsPattern("(?m)^    containerPort\\s+<integer> -required-$");
        assertThat(out).containsPattern("(?m)^  livenessProbe\\s+<Probe>$");
        assertThat(out).containsPattern("(?m)^      port\\s+<IntOrString> -required-$");
        assertThat(out).containsPattern("(?m)^    limits\\s+<map\\[string\\]Quantity>$");
    }

    @Test
    void explainOfAMissingFieldFails() throws Exception {
        Result result = kubectl("explain", "pod.spec.nosuchfield");
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.err()).contains("field \"nosuchfield\" does not exist");
    }

    @Test
    void createFromAFileLeavesValidationToTheServer() throws Exception {
        Path pod = manifest("pod.yaml", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web
                spec:
                  containers:
                  - name: web
                    image: nginx:1.27
                """);
        assertThat(succeeds("create", "-f", pod.toString()).out()).contains("pod/web created");
        FakeApiServer.Request create = lastWrite("POST", "/api/v1/namespaces/default/pods");
        assertThat(create.query()).contains("fieldValidation=Strict");
    }

    @Test
    void clientSideApplyCreatesWithStrictFieldValidation() throws Exception {
        Path service = manifest("service.yaml", """
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                spec:
                  selector:
                    app: web
                  ports:
                  - port: 80
                    targetPort: 8080
                """);
        assertThat(succeeds("apply", "-f", service.toString()).out()).contains("service/web created");
        FakeApiServer.Request create = lastWrite("POST", "/api/v1/namespaces/default/services");
        assertThat(create.query()).contains("fieldValidation=Strict");
    }

    @Test
    void serverSideApplyPatchesWithStrictFieldValidation() throws Exception {
        Path deployment = manifest("deployment.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                spec:
                  replicas: 2
                  selector:
                    matchLabels:
                      app: web
                  template:
                    metadata:
                      labels:
                        app: web
                    spec:
                      containers:
                      - name: web
                        image: nginx:1.27
                """);
        assertThat(succeeds("apply", "--server-side", "-f", deployment.toString()).out())
                .contains("deployment.apps/web serverside-applied");
        FakeApiServer.Request apply = lastWrite("PATCH", "/apis/apps/v1/namespaces/default/deployments/web");
        assertThat(apply.contentType()).isEqualTo("application/apply-patch+yaml");
        assertThat(apply.query()).contains("fieldValidation=Strict", "fieldManager=kubectl");
    }

    @Test
    void replaceFromAFileLeavesValidationToTheServer() throws Exception {
        Path namespace = manifest("namespace.yaml", """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: team-a
                """);
        assertThat(succeeds("replace", "-f", namespace.toString()).out()).contains("namespace/team-a replaced");
        FakeApiServer.Request replace = lastWrite("PUT", "/api/v1/namespaces/team-a");
        assertThat(replace.query()).contains("fieldValidation=Strict");
    }

    private static FakeApiServer.Request lastWrite(String method, String path) {
        List<FakeApiServer.Request> matching = server.requests().stream()
                .filter(r -> r.method().equals(method) && r.path().equals(path)).toList();
        assertThat(matching).as("%s %s among %s", method, path, server.requests()).isNotEmpty();
        return matching.get(matching.size() - 1);
    }
}
