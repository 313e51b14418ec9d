package dev.coracle.server.api.protobuf;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs the real kubectl against a tiny recording API server, decodes the protobuf body it POSTs, and
 * compares the result with the JSON the same kubectl prints for the same command
 * ({@code --dry-run=client -o json}). Skipped where there is no kubectl. ({@code kubectl run} is not here:
 * it sends JSON.)
 */
class ProtobufKubectlCaptureTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<Recorded> posts = new CopyOnWriteArrayList<>();
    private static HttpServer server;
    private static String kubectl;

    @TempDir
    static Path home;

    record Recorded(String path, String contentType, byte[] body) {
    }

    @BeforeAll
    static void startRecordingServer() throws IOException {
        kubectl = findKubectl();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ProtobufKubectlCaptureTest::handle);
        server.start();
    }

    @AfterAll
    static void stopRecordingServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    @ParameterizedTest(name = "kubectl {0}")
    @ValueSource(strings = {
            "create namespace demo",
            "create configmap x --from-literal=a=b --from-literal=empty= -n default",
            "create secret generic s --from-literal=k=v -n default",
            "create service clusterip svc --tcp=80:8080 --tcp=443:https -n default",
            "create deployment web --image=nginx --replicas=2 -n default",
            "create deployment none --image=busybox --replicas=0 -n default",
            "create serviceaccount robot -n default",
            "create job once --image=busybox -n default -- date",
            "create secret generic bin --from-file=blob=BLOB -n default"})
    void kubectlProtobufBodyDecodesToTheJsonKubectlPrints(String command) throws Exception {
        assumeTrue(kubectl != null, "no kubectl on this machine");
        posts.clear();
        Path blob = home.resolve("blob");
        Files.write(blob, new byte[]{0, (byte) 0xff, 1, 'b', 'i', 'n'});
        command = command.replace("BLOB", blob.toString());

        run(command);
        int dashes = command.indexOf(" -- ");
        String dryRun = dashes < 0 ? command + " --dry-run=client -o json"
                : command.substring(0, dashes) + " --dry-run=client -o json" + command.substring(dashes);
        JsonNode expected = JSON.readTree(run(dryRun));

        assertThat(posts).as("kubectl POSTed one body").hasSize(1);
        Recorded post = posts.get(0);
        assertThat(post.contentType()).isEqualTo(ProtobufDecoder.MEDIA_TYPE);
        assertThat(ProtobufDecoder.decode(post.body())).isEqualTo(expected);
    }

    private static String run(String command) throws Exception {
        Path kubeconfig = home.resolve("kubeconfig");
        if (!Files.exists(kubeconfig)) {
            Files.writeString(kubeconfig, "apiVersion: v1\nkind: Config\n");
        }
        List<String> args = new ArrayList<>(List.of(kubectl,
                "--server", "http://127.0.0.1:" + server.getAddress().getPort(),
                "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", home.resolve("cache").toString(),
                "--request-timeout", "20s"));
        args.addAll(Arrays.asList(command.split(" ")));
        ProcessBuilder builder = new ProcessBuilder(args).redirectErrorStream(true);
        builder.environment().put("HOME", home.toString());
        builder.environment().remove("KUBECONFIG");
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("kubectl " + command + " did not finish in 60s");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("kubectl " + command + ": " + output).isZero();
        return output;
    }

    private static void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            if (exchange.getRequestMethod().equals("POST")) {
                posts.add(new Recorded(path, exchange.getRequestHeaders().getFirst("Content-Type"), body));
                respond(exchange, 201, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Success\"}");
                return;
            }
            switch (path) {
                case "/version" -> respond(exchange, 200,
                        "{\"major\":\"1\",\"minor\":\"32\",\"gitVersion\":\"v1.32.0\"}");
                case "/api" -> respond(exchange, 200,
                        "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":"
                                + "[{\"clientCIDR\":\"0.0.0.0/0\",\"serverAddress\":\"127.0.0.1\"}]}");
                case "/apis" -> respond(exchange, 200,
                        "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[" + group("apps") + "," + group("batch") + "]}");
                case "/api/v1" -> respond(exchange, 200, resourceList("v1",
                        resource("namespaces", "Namespace", false), resource("configmaps", "ConfigMap", true),
                        resource("secrets", "Secret", true), resource("services", "Service", true),
                        resource("serviceaccounts", "ServiceAccount", true)));
                case "/apis/apps/v1" -> respond(exchange, 200, resourceList("apps/v1",
                        resource("deployments", "Deployment", true)));
                case "/apis/batch/v1" -> respond(exchange, 200, resourceList("batch/v1", resource("jobs", "Job", true)));
                default -> respond(exchange, 404, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                        + "\"message\":\"the server could not find the requested resource\",\"reason\":\"NotFound\",\"code\":404}");
            }
        }
    }

    private static String group(String name) {
        String version = "{\"groupVersion\":\"" + name + "/v1\",\"version\":\"v1\"}";
        return "{\"name\":\"" + name + "\",\"versions\":[" + version + "],\"preferredVersion\":" + version + "}";
    }

    private static String resourceList(String groupVersion, String... resources) {
        return "{\"kind\":\"APIResourceList\",\"groupVersion\":\"" + groupVersion + "\",\"resources\":["
                + String.join(",", resources) + "]}";
    }

    private static String resource(String name, String kind, boolean namespaced) {
        return "{\"name\":\"" + name + "\",\"singularName\":\"" + kind.toLowerCase() + "\",\"namespaced\":" + namespaced
                + ",\"kind\":\"" + kind + "\",\"verbs\":[\"create\",\"delete\",\"get\",\"list\",\"patch\",\"update\",\"watch\"]}";
    }

    private static void respond(HttpExchange exchange, int code, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static String findKubectl() {
        List<String> candidates = new ArrayList<>(List.of("/usr/bin/kubectl", "/usr/local/bin/kubectl"));
        String pathVariable = System.getenv("PATH");
        if (pathVariable != null) {
            for (String dir : pathVariable.split(File.pathSeparator)) {
                candidates.add(dir + "/kubectl");
            }
        }
        return candidates.stream().filter(c -> Files.isExecutable(Path.of(c))).findFirst().orElse(null);
    }
}
