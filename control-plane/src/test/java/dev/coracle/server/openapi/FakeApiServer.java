package dev.coracle.server.openapi;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.coracle.server.registry.ResourceType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Just enough of kube-apiserver over plain HTTP for the real kubectl: {@code /version}, legacy discovery
 * ({@code /api}, {@code /api/v1}, {@code /apis}, {@code /apis/GROUP/VERSION}), the OpenAPI v3 documents under
 * test, and objects that are never found on GET and are echoed back on POST, PUT and PATCH. Every request is
 * recorded.
 */
final class FakeApiServer implements AutoCloseable {

    /** One request as the server saw it. */
    record Request(String method, String path, String query, String contentType, String body) {
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final List<ResourceType> types;
    private final OpenApiDocuments documents;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

    FakeApiServer(List<ResourceType> types) throws IOException {
        this.types = List.copyOf(types);
        this.documents = new OpenApiDocuments(types);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            String query = Optional.ofNullable(exchange.getRequestURI().getRawQuery()).orElse("");
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Request(method, path, query, exchange.getRequestHeaders().getFirst("Content-Type"), body));

            if (path.startsWith(OpenApiDocuments.PATH_PREFIX)) {
                serveOpenApi(exchange, path, query);
                return;
            }
            if (method.equals("GET")) {
                JsonNode discovery = discovery(path);
                if (discovery != null) {
                    send(exchange, 200, discovery);
                    return;
                }
            }
            Optional<ResourceType> type = objectPath(path);
            if (type.isEmpty()) {
                send(exchange, 404, status(404, "NotFound", "the server could not find the requested resource"));
                return;
            }
            switch (method) {
                case "POST" -> send(exchange, 201, stored(parse(body), namespaceOf(path)));
                case "PUT", "PATCH" -> send(exchange, 200, stored(parse(body), namespaceOf(path)));
                default -> send(exchange, 404, status(404, "NotFound",
                        type.get().qualifiedResource() + " \"" + path.substring(path.lastIndexOf('/') + 1)
                                + "\" not found"));
            }
        }
    }

    private void serveOpenApi(HttpExchange exchange, String path, String query) throws IOException {
        Optional<OpenApiDocuments.Document> document = documents.forRequestPath(path);
        if (document.isEmpty()) {
            send(exchange, 404, status(404, "NotFound", "the server could not find the requested resource"));
            return;
        }
        OpenApiDocuments.Document doc = document.get();
        String hash = query.startsWith("hash=") ? query.substring("hash=".length()) : null;
        var headers = exchange.getResponseHeaders();
        if (hash != null && !hash.equals(doc.hash())) {
            headers.set("Location", doc.serverRelativeUrl());
            exchange.sendResponseHeaders(301, -1);
            return;
        }
        headers.set("Content-Type", OpenApiDocuments.MEDIA_TYPE);
        headers.set("ETag", doc.etag());
        headers.set("Cache-Control", hash != null ? "public, immutable, max-age=31536000" : "no-cache, private");
        byte[] bytes = doc.json();
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private JsonNode discovery(String path) {
        if (path.equals("/version")) {
            return NODES.objectNode().put("major", "1").put("minor", "32").put("gitVersion", "v1.32.0-coracle")
                    .put("platform", "linux/amd64");
        }
        if (path.equals("/api")) {
            ObjectNode versions = NODES.objectNode().put("kind", "APIVersions");
            versions.putArray("versions").add("v1");
            versions.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0")
                    .put("serverAddress", server.getAddress().getHostString() + ":" + server.getAddress().getPort());
            return versions;
        }
        if (path.equals("/apis")) {
            ObjectNode list = NODES.objectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
            ArrayNode groups = list.putArray("groups");
            Map<String, List<String>> versionsByGroup = new LinkedHashMap<>();
            for (ResourceType type : types) {
                if (!type.group().isEmpty()) {
                    List<String> versions = versionsByGroup.computeIfAbsent(type.group(), g -> new ArrayList<>());
                    if (!versions.contains(type.version())) {
                        versions.add(type.version());
                    }
                }
            }
            versionsByGroup.forEach((group, versions) -> {
                ObjectNode node = groups.addObject().put("name", group);
                ArrayNode array = node.putArray("versions");
                versions.forEach(v -> array.addObject().put("groupVersion", group + "/" + v).put("version", v));
                node.putObject("preferredVersion").put("groupVersion", group + "/" + versions.get(0))
                        .put("version", versions.get(0));
            });
            return list;
        }
        for (ResourceType probe : types) {
            String base = probe.group().isEmpty() ? "/api/" + probe.version()
                    : "/apis/" + probe.group() + "/" + probe.version();
            if (path.equals(base) || path.equals(base + "/")) {
                return resourceList(probe.group(), probe.version());
            }
        }
        return null;
    }

    private JsonNode resourceList(String group, String version) {
        ObjectNode list = NODES.objectNode().put("kind", "APIResourceList").put("apiVersion", "v1")
                .put("groupVersion", group.isEmpty() ? version : group + "/" + version);
        ArrayNode resources = list.putArray("resources");
        for (ResourceType type : types) {
            if (!type.group().equals(group) || !type.version().equals(version)) {
                continue;
            }
            ObjectNode resource = resources.addObject().put("name", type.plural())
                    .put("singularName", type.singular()).put("namespaced", type.namespaced())
                    .put("kind", type.kind());
            verbs(resource, "create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
            if (!type.shortNames().isEmpty()) {
                ArrayNode shortNames = resource.putArray("shortNames");
                type.shortNames().forEach(shortNames::add);
            }
            if (!type.categories().isEmpty()) {
                ArrayNode categories = resource.putArray("categories");
                type.categories().forEach(categories::add);
            }
            for (String subresource : type.subresources()) {
                ObjectNode sub = resources.addObject().put("name", type.plural() + "/" + subresource)
                        .put("singularName", "").put("namespaced", type.namespaced()).put("kind", type.kind());
                switch (subresource) {
                    case "scale" -> {
                        sub.put("group", "autoscaling").put("version", "v1").put("kind", "Scale");
                        verbs(sub, "get", "patch", "update");
                    }
                    case "binding" -> verbs(sub.put("kind", "Binding"), "create");
                    case "log" -> verbs(sub, "get");
                    case "finalize" -> verbs(sub, "update");
                    default -> verbs(sub, "get", "patch", "update");
                }
            }
        }
        return list;
    }

    private static void verbs(ObjectNode resource, String... verbs) {
        ArrayNode array = resource.putArray("verbs");
        for (String verb : verbs) {
            array.add(verb);
        }
    }

    /** The resource an object or collection path names: {@code /api/v1/namespaces/NS/pods[/NAME]}. */
    private Optional<ResourceType> objectPath(String path) {
        for (ResourceType type : types) {
            String base = type.group().isEmpty() ? "/api/" + type.version()
                    : "/apis/" + type.group() + "/" + type.version();
            String prefix = type.namespaced() ? base + "/namespaces/" : base + "/";
            if (!path.startsWith(prefix)) {
                continue;
            }
            String[] rest = path.substring(prefix.length()).split("/");
            if (type.namespaced() && rest.length >= 2 && rest[1].equals(type.plural())) {
                return Optional.of(type);
            }
            if (!type.namespaced() && rest.length >= 1 && rest[0].equals(type.plural())) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    private static String namespaceOf(String path) {
        int at = path.indexOf("/namespaces/");
        if (at < 0) {
            return null;
        }
        String rest = path.substring(at + "/namespaces/".length());
        int slash = rest.indexOf('/');
        return slash < 0 ? null : rest.substring(0, slash);
    }

    private static JsonNode parse(String body) {
        String trimmed = body.trim();
        return trimmed.startsWith("{") ? JSON.readTree(trimmed) : YAML.readTree(trimmed);
    }

    private static JsonNode stored(JsonNode object, String namespace) {
        ObjectNode copy = ((ObjectNode) object).deepCopy();
        ObjectNode metadata = copy.has("metadata") ? (ObjectNode) copy.get("metadata") : copy.putObject("metadata");
        if (namespace != null) {
            metadata.put("namespace", namespace);
        }
        metadata.put("uid", "6f1b2c1e-0000-4000-8000-000000000001").put("resourceVersion", "1")
                .put("creationTimestamp", "2025-01-01T00:00:00Z");
        return copy;
    }

    private static JsonNode status(int code, String reason, String message) {
        ObjectNode status = NODES.objectNode().put("kind", "Status").put("apiVersion", "v1");
        status.putObject("metadata");
        return status.put("status", "Failure").put("message", message).put("reason", reason).put("code", code);
    }

    private static void send(HttpExchange exchange, int code, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
