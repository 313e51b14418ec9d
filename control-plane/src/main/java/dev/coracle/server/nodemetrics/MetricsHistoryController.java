package dev.coracle.server.nodemetrics;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.InternalClient;
import dev.coracle.server.api.Json;
import dev.coracle.server.api.Responses;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * Coracle's extension for the dashboard's charts: the last hour of CPU and memory at the scrape
 * resolution, for the cluster, a node or a pod.
 * {@code GET /v1-coracle/metrics/history?kind=Cluster | kind=Node&name=N | kind=Pod&namespace=NS&name=P}
 * answers {@code {"kind":"MetricsHistory","resolution":"15s","window":"1h","points":[{"timestamp":...,
 * "cpuNanoCores":...,"memoryBytes":...}]}}, oldest first; an object that does not exist is a 404.
 */
@RestController
public class MetricsHistoryController {

    public static final String PATH = "/v1-coracle/metrics/history";

    private final MetricsStore store;
    private final InternalClient client;

    public MetricsHistoryController(MetricsStore store, InternalClient client) {
        this.store = store;
        this.client = client;
    }

    @GetMapping(PATH)
    public Mono<Void> history(ServerWebExchange exchange) {
        var params = exchange.getRequest().getQueryParams();
        String kind = params.getFirst("kind");
        String name = params.getFirst("name");
        String namespace = params.getFirst("namespace");
        return Mono.fromCallable(() -> body(key(kind, namespace, name)))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(body -> Responses.json(exchange, 200, body))
                .onErrorResume(ApiException.class, e -> Responses.status(exchange, e));
    }

    private String key(String kind, String namespace, String name) {
        if (kind == null || kind.isEmpty()) {
            throw ApiException.badRequest("kind: Required value: one of Cluster, Node, Pod");
        }
        return switch (kind) {
            case "Cluster" -> "Cluster";
            case "Node" -> {
                required("name", name);
                if (store.history("Node/" + name).isEmpty() && client.get(Node.class, null, name).isEmpty()) {
                    throw ApiException.notFound("", "nodes", name);
                }
                yield "Node/" + name;
            }
            case "Pod" -> {
                required("namespace", namespace);
                required("name", name);
                if (store.history("Pod/" + namespace + "/" + name).isEmpty() && client.get(Pod.class, namespace, name).isEmpty()) {
                    throw ApiException.notFound("", "pods", name);
                }
                yield "Pod/" + namespace + "/" + name;
            }
            default -> throw ApiException.badRequest("kind: Unsupported value: \"" + kind + "\": supported values: \"Cluster\", \"Node\", \"Pod\"");
        };
    }

    private static void required(String param, String value) {
        if (value == null || value.isEmpty()) {
            throw ApiException.badRequest(param + ": Required value");
        }
    }

    private ObjectNode body(String key) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("kind", "MetricsHistory");
        out.put("resolution", MetricsFormat.duration(store.resolution()));
        out.put("window", "1h");
        ArrayNode points = out.putArray("points");
        List<MetricsStore.Point> history = store.history(key);
        for (MetricsStore.Point p : history) {
            ObjectNode point = points.addObject();
            point.put("timestamp", p.timestamp().toString());
            point.put("cpuNanoCores", p.cpuNanoCores());
            point.put("memoryBytes", p.memoryBytes());
        }
        return out;
    }
}
