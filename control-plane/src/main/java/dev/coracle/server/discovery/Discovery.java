package dev.coracle.server.discovery;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.Json;
import dev.coracle.server.api.RequestInfo;
import dev.coracle.server.api.Responses;
import dev.coracle.server.registry.Registry;
import dev.coracle.server.registry.ResourceType;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /api}, {@code /apis} and their group/version documents, in both the legacy form and the
 * aggregated form kubectl prefers ({@code APIGroupDiscoveryList}, told apart by Content-Type only).
 */
@Component
public class Discovery {

    static final String AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

    private final Registry registry;
    private final AggregatedApis aggregatedApis;

    public Discovery(Registry registry, AggregatedApis aggregatedApis) {
        this.registry = registry;
        this.aggregatedApis = aggregatedApis;
    }

    /** The discovery answer for this path, or null when the path names resources rather than discovery. */
    public Mono<Void> serve(String path, ServerWebExchange exchange) {
        String p = RequestInfo.withoutTrailingSlashes(path);
        String accept = exchange.getRequest().getHeaders().getFirst("Accept");
        boolean aggregated = accept != null && accept.contains("g=apidiscovery.k8s.io") && accept.contains("v=v2;");
        if (p.equals("/api")) {
            return aggregated ? aggregated(exchange, true) : Responses.json(exchange, 200, apiVersions());
        }
        if (p.equals("/apis")) {
            return aggregated ? aggregated(exchange, false) : Responses.json(exchange, 200, groupList());
        }
        String[] parts = p.split("/");
        if (parts.length == 3 && parts[1].equals("api")) {
            return Responses.json(exchange, 200, resourceList("", parts[2]));
        }
        if (parts.length == 3 && parts[1].equals("apis")) {
            return Responses.json(exchange, 200, group(parts[2]));
        }
        if (parts.length == 4 && parts[1].equals("apis")) {
            return Responses.json(exchange, 200, resourceList(parts[2], parts[3]));
        }
        return null;
    }

    private Mono<Void> aggregated(ServerWebExchange exchange, boolean core) {
        ObjectNode list = Json.MAPPER.createObjectNode();
        list.put("kind", "APIGroupDiscoveryList");
        list.put("apiVersion", "apidiscovery.k8s.io/v2");
        list.putObject("metadata");
        ArrayNode items = list.putArray("items");
        for (Map.Entry<String, Map<String, List<ResourceType>>> group : groups().entrySet()) {
            if (group.getKey().isEmpty() != core) {
                continue;
            }
            ObjectNode item = items.addObject();
            item.putObject("metadata").put("name", group.getKey());
            ArrayNode versions = item.putArray("versions");
            for (Map.Entry<String, List<ResourceType>> version : group.getValue().entrySet()) {
                ObjectNode v = versions.addObject();
                v.put("version", version.getKey());
                ArrayNode resources = v.putArray("resources");
                for (ResourceType t : version.getValue()) {
                    ObjectNode r = resources.addObject();
                    r.put("resource", t.plural());
                    r.set("responseKind", kind(t.group(), t.version(), t.kind()));
                    r.put("scope", t.namespaced() ? "Namespaced" : "Cluster");
                    r.put("singularResource", t.singular());
                    r.set("verbs", strings(t.verbs()));
                    if (!t.shortNames().isEmpty()) {
                        r.set("shortNames", strings(t.shortNames()));
                    }
                    if (!t.categories().isEmpty()) {
                        r.set("categories", strings(t.categories()));
                    }
                    if (!t.subresources().isEmpty()) {
                        ArrayNode subs = r.putArray("subresources");
                        for (String sub : t.subresources()) {
                            ObjectNode s = subs.addObject();
                            s.put("subresource", sub);
                            s.set("responseKind", subresourceKind(t, sub));
                            s.set("verbs", strings(subresourceVerbs(sub)));
                        }
                    }
                }
                v.put("freshness", "Current");
            }
        }
        exchange.getResponse().setStatusCode(HttpStatus.OK);
        exchange.getResponse().getHeaders().setContentType(MediaType.parseMediaType(AGGREGATED));
        byte[] bytes = Json.bytes(list);
        return exchange.getResponse().writeWith(Mono.just(exchange.getResponse().bufferFactory().wrap(bytes)));
    }

    private ObjectNode apiVersions() {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("kind", "APIVersions");
        out.putArray("versions").add("v1");
        ObjectNode address = out.putArray("serverAddressByClientCIDRs").addObject();
        address.put("clientCIDR", "0.0.0.0/0");
        address.put("serverAddress", "");
        return out;
    }

    private ObjectNode groupList() {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("kind", "APIGroupList");
        out.put("apiVersion", "v1");
        ArrayNode groups = out.putArray("groups");
        for (String name : groups().keySet()) {
            if (!name.isEmpty()) {
                groups.add(groupBody(name));
            }
        }
        return out;
    }

    private ObjectNode group(String name) {
        if (!groups().containsKey(name) || name.isEmpty()) {
            throw ApiException.pathNotFound();
        }
        ObjectNode g = groupBody(name);
        g.put("kind", "APIGroup");
        g.put("apiVersion", "v1");
        return g;
    }

    private ObjectNode groupBody(String name) {
        ObjectNode g = Json.MAPPER.createObjectNode();
        g.put("name", name);
        ArrayNode versions = g.putArray("versions");
        String preferred = null;
        for (String v : groups().get(name).keySet()) {
            ObjectNode gv = versions.addObject();
            gv.put("groupVersion", name + "/" + v);
            gv.put("version", v);
            preferred = preferred == null ? v : preferred;
        }
        ObjectNode p = g.putObject("preferredVersion");
        p.put("groupVersion", name + "/" + preferred);
        p.put("version", preferred);
        return g;
    }

    private ObjectNode resourceList(String group, String version) {
        List<ResourceType> types = groups().getOrDefault(group, Map.of()).get(version);
        if (types == null) {
            throw ApiException.pathNotFound();
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("kind", "APIResourceList");
        out.put("apiVersion", "v1");
        out.put("groupVersion", group.isEmpty() ? version : group + "/" + version);
        ArrayNode resources = out.putArray("resources");
        for (ResourceType t : types) {
            ObjectNode r = resources.addObject();
            r.put("name", t.plural());
            r.put("singularName", t.singular());
            r.put("namespaced", t.namespaced());
            r.put("kind", t.kind());
            r.set("verbs", strings(t.verbs()));
            if (!t.shortNames().isEmpty()) {
                r.set("shortNames", strings(t.shortNames()));
            }
            if (!t.categories().isEmpty()) {
                r.set("categories", strings(t.categories()));
            }
            for (String sub : t.subresources()) {
                ObjectNode s = resources.addObject();
                s.put("name", t.plural() + "/" + sub);
                s.put("singularName", "");
                s.put("namespaced", t.namespaced());
                ObjectNode kind = subresourceKind(t, sub);
                if (!kind.path("group").asString("").isEmpty()) {
                    s.put("group", kind.get("group").asString());
                    s.put("version", kind.get("version").asString());
                }
                s.put("kind", kind.get("kind").asString());
                s.set("verbs", strings(subresourceVerbs(sub)));
            }
        }
        return out;
    }

    private Map<String, Map<String, List<ResourceType>>> groups() {
        Map<String, Map<String, List<ResourceType>>> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<ResourceType>> gv : registry.byGroupVersion().entrySet()) {
            ResourceType first = gv.getValue().get(0);
            out.computeIfAbsent(first.group(), g -> new LinkedHashMap<>()).put(first.version(), gv.getValue());
        }
        for (ResourceType t : aggregatedApis.types()) {
            out.computeIfAbsent(t.group(), g -> new LinkedHashMap<>()).computeIfAbsent(t.version(), v -> new java.util.ArrayList<>()).add(t);
        }
        return out;
    }

    private static ObjectNode subresourceKind(ResourceType t, String sub) {
        return switch (sub) {
            case "scale" -> kind("autoscaling", "v1", "Scale");
            case "binding" -> kind("", "v1", "Binding");
            case "eviction" -> kind("policy", "v1", "Eviction");
            case "log" -> kind("", "v1", "Pod");
            case "exec" -> kind("", "v1", "PodExecOptions");
            case "portforward" -> kind("", "v1", "PodPortForwardOptions");
            case "proxy" -> kind("", "v1", t.kind() + "ProxyOptions");
            default -> kind(t.group(), t.version(), t.kind());
        };
    }

    private static List<String> subresourceVerbs(String sub) {
        return switch (sub) {
            case "binding", "eviction" -> List.of("create");
            case "log" -> List.of("get");
            case "exec", "portforward" -> List.of("create", "get");
            case "finalize" -> List.of("update");
            case "proxy" -> List.of("create", "delete", "get", "patch", "update");
            default -> List.of("get", "patch", "update");
        };
    }

    private static ObjectNode kind(String group, String version, String kind) {
        ObjectNode k = Json.MAPPER.createObjectNode();
        k.put("group", group);
        k.put("version", version);
        k.put("kind", kind);
        return k;
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        values.forEach(a::add);
        return a;
    }
}
