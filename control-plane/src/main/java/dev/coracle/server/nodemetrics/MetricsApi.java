package dev.coracle.server.nodemetrics;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.InternalClient;
import dev.coracle.server.api.Json;
import dev.coracle.server.api.Responses;
import dev.coracle.server.discovery.AggregatedApis;
import dev.coracle.server.registry.ResourceType;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.NodeMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * {@code metrics.k8s.io/v1beta1}, as metrics-server serves it for {@code kubectl top}: NodeMetrics
 * ({@code /nodes}, {@code /nodes/NAME}) and PodMetrics ({@code /pods}, {@code /namespaces/NS/pods},
 * {@code /namespaces/NS/pods/NAME}) with {@code labelSelector}; an object without figures yet is a 404.
 */
@Component
public class MetricsApi {

    static final String GROUP = "metrics.k8s.io";
    static final String VERSION = "v1beta1";
    static final String API_VERSION = GROUP + "/" + VERSION;

    private final MetricsStore store;
    private final InternalClient client;

    public MetricsApi(MetricsStore store, InternalClient client, AggregatedApis apis) {
        this.store = store;
        this.client = client;
        apis.register(new AggregatedApis.Api(GROUP, VERSION, List.of(
                new ResourceType(GROUP, VERSION, "NodeMetrics", "nodes", "", false, List.of(), List.of(), List.of(), NodeMetrics.class),
                new ResourceType(GROUP, VERSION, "PodMetrics", "pods", "", true, List.of(), List.of(), List.of(), PodMetrics.class)),
                this::serve));
    }

    Mono<Void> serve(ServerWebExchange exchange, String path) {
        if (exchange.getRequest().getMethod() != HttpMethod.GET) {
            return Mono.error(ApiException.methodNotAllowed("the server does not allow this method on the requested resource"));
        }
        String[] parts = path.split("/");
        String labelSelector = exchange.getRequest().getQueryParams().getFirst("labelSelector");
        if (labelSelector != null && labelSelector.isEmpty()) {
            labelSelector = null;
        }
        String selector = labelSelector;
        return Mono.fromCallable(() -> switch (parts.length) {
            case 1 -> switch (parts[0]) {
                case "nodes" -> nodeList(selector);
                case "pods" -> podList(null, selector);
                default -> throw ApiException.pathNotFound();
            };
            case 2 -> {
                if (!parts[0].equals("nodes")) {
                    throw ApiException.pathNotFound();
                }
                yield nodeMetrics(client.get(Node.class, null, parts[1]).orElseThrow(() -> notFound("nodes", parts[1])))
                        .orElseThrow(() -> notFound("nodes", parts[1]));
            }
            case 3 -> {
                if (!parts[0].equals("namespaces") || !parts[2].equals("pods")) {
                    throw ApiException.pathNotFound();
                }
                yield podList(parts[1], selector);
            }
            case 4 -> {
                if (!parts[0].equals("namespaces") || !parts[2].equals("pods")) {
                    throw ApiException.pathNotFound();
                }
                yield podMetrics(client.get(Pod.class, parts[1], parts[3]).orElseThrow(() -> notFound("pods", parts[3])))
                        .orElseThrow(() -> notFound("pods", parts[3]));
            }
            default -> throw ApiException.pathNotFound();
        }).subscribeOn(Schedulers.boundedElastic()).flatMap(body -> {
            String accept = exchange.getRequest().getHeaders().getFirst("Accept");
            return Responses.json(exchange, 200, accept != null && accept.contains("as=Table") ? table(body) : body);
        });
    }

    /** {@code kubectl get nodes.metrics.k8s.io}: metrics-server's columns, Name, CPU, Memory and Window. */
    static ObjectNode table(ObjectNode body) {
        ObjectNode table = Json.MAPPER.createObjectNode();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/v1");
        table.putObject("metadata");
        ArrayNode columns = table.putArray("columnDefinitions");
        column(columns, "Name", "name", "Name must be unique within a namespace.");
        column(columns, "CPU", "", "CPU usage");
        column(columns, "Memory", "", "Memory usage");
        column(columns, "Window", "", "Interval over which the usage was measured");
        ArrayNode rows = table.putArray("rows");
        List<tools.jackson.databind.JsonNode> items = body.has("items") ? List.copyOf(body.get("items").valueStream().toList()) : List.of(body);
        for (tools.jackson.databind.JsonNode item : items) {
            long cpu = 0;
            long memory = 0;
            List<tools.jackson.databind.JsonNode> usages = item.has("usage") ? List.of(item.get("usage"))
                    : item.path("containers").valueStream().map(c -> c.get("usage")).toList();
            for (tools.jackson.databind.JsonNode usage : usages) {
                cpu += nanos(usage.path("cpu").asString("0"));
                memory += bytes(usage.path("memory").asString("0"));
            }
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            cells.add(item.path("metadata").path("name").asString(""));
            cells.add(MetricsFormat.cpu(cpu));
            cells.add(MetricsFormat.memory(memory));
            cells.add(item.path("window").asString(""));
            ObjectNode object = row.putObject("object");
            object.put("kind", "PartialObjectMetadata");
            object.put("apiVersion", "meta.k8s.io/v1");
            object.set("metadata", item.path("metadata").deepCopy());
        }
        return table;
    }

    private static void column(ArrayNode columns, String name, String format, String description) {
        ObjectNode column = columns.addObject();
        column.put("name", name);
        column.put("type", "string");
        column.put("format", format);
        column.put("description", description);
        column.put("priority", 0);
    }

    private static long nanos(String quantity) {
        return io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(new io.fabric8.kubernetes.api.model.Quantity(quantity))
                .movePointRight(9).longValue();
    }

    private static long bytes(String quantity) {
        return io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(new io.fabric8.kubernetes.api.model.Quantity(quantity)).longValue();
    }

    private static ApiException notFound(String resource, String name) {
        return ApiException.notFound(GROUP, resource, name);
    }

    private ObjectNode nodeList(String labelSelector) {
        ObjectNode list = list("NodeMetricsList");
        ArrayNode items = (ArrayNode) list.get("items");
        for (Node node : client.list(Node.class, null, labelSelector)) {
            nodeMetrics(node).ifPresent(items::add);
        }
        return list;
    }

    private ObjectNode podList(String namespace, String labelSelector) {
        ObjectNode list = list("PodMetricsList");
        ArrayNode items = (ArrayNode) list.get("items");
        for (Pod pod : client.list(Pod.class, namespace, labelSelector)) {
            podMetrics(pod).ifPresent(items::add);
        }
        return list;
    }

    private java.util.Optional<ObjectNode> nodeMetrics(Node node) {
        return store.node(node.getMetadata().getName()).map(usage -> {
            ObjectNode out = object("NodeMetrics", node);
            out.put("timestamp", usage.timestamp().toString());
            out.put("window", MetricsFormat.duration(usage.window()));
            out.set("usage", usage(usage.cpuNanoCores(), usage.memoryBytes()));
            return out;
        });
    }

    private java.util.Optional<ObjectNode> podMetrics(Pod pod) {
        return store.pod(pod.getMetadata().getNamespace(), pod.getMetadata().getName()).map(usage -> {
            ObjectNode out = object("PodMetrics", pod);
            out.put("timestamp", usage.timestamp().toString());
            out.put("window", MetricsFormat.duration(usage.window()));
            ArrayNode containers = out.putArray("containers");
            for (Map.Entry<String, MetricsStore.Usage> c : usage.containers().entrySet()) {
                ObjectNode container = containers.addObject();
                container.put("name", c.getKey());
                container.set("usage", usage(c.getValue().cpuNanoCores(), c.getValue().memoryBytes()));
            }
            return out;
        });
    }

    private static ObjectNode object(String kind, HasMetadata of) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("kind", kind);
        out.put("apiVersion", API_VERSION);
        ObjectNode meta = out.putObject("metadata");
        meta.put("name", of.getMetadata().getName());
        if (of.getMetadata().getNamespace() != null) {
            meta.put("namespace", of.getMetadata().getNamespace());
        }
        // metrics are made when asked for, as metrics-server's
        meta.put("creationTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        if (of.getMetadata().getLabels() != null && !of.getMetadata().getLabels().isEmpty()) {
            meta.set("labels", Json.MAPPER.valueToTree(of.getMetadata().getLabels()));
        }
        return out;
    }

    private static ObjectNode usage(long cpu, long memory) {
        ObjectNode usage = Json.MAPPER.createObjectNode();
        usage.put("cpu", MetricsFormat.cpu(cpu));
        usage.put("memory", MetricsFormat.memory(memory));
        return usage;
    }

    private static ObjectNode list(String kind) {
        ObjectNode list = Json.MAPPER.createObjectNode();
        list.put("kind", kind);
        list.put("apiVersion", API_VERSION);
        list.putObject("metadata");
        list.putArray("items");
        return list;
    }
}
