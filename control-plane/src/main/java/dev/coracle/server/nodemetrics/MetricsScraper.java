package dev.coracle.server.nodemetrics;

import dev.coracle.server.api.InternalClient;
import dev.coracle.server.api.Json;
import dev.coracle.server.nodeproxy.NodeConnections;
import io.fabric8.kubernetes.api.model.Node;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Every resolution interval (15 s, metrics-server's default), asks each Ready node's agent for its
 * {@code /stats/summary} and hands the answers to the {@link MetricsStore}. An agent that does not
 * answer within the interval just has no figures this round.
 */
@Component
public class MetricsScraper implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(MetricsScraper.class);

    private final InternalClient client;
    private final NodeConnections connections;
    private final MetricsStore store;
    private volatile Disposable schedule;

    public MetricsScraper(InternalClient client, NodeConnections connections, MetricsStore store) {
        this.client = client;
        this.connections = connections;
        this.store = store;
    }

    /** Once the server is up: before, the store may not have its schema yet. */
    @EventListener(ApplicationReadyEvent.class)
    void start() {
        this.schedule = Flux.interval(Duration.ofSeconds(1), store.resolution())
                .onBackpressureDrop()
                .concatMap(tick -> scrapeAll().onErrorResume(e -> {
                    log.warn("metrics scrape failed: {}", e.toString());
                    return Mono.empty();
                }), 0)
                .subscribe();
    }

    Mono<Void> scrapeAll() {
        Instant round = Instant.now();
        return Mono.fromCallable(() -> client.list(Node.class, null, null)).subscribeOn(Schedulers.boundedElastic())
                .flatMapMany(Flux::fromIterable)
                .filter(MetricsScraper::ready)
                // deferred: a node the agent URL cannot be made for (no address) fails alone, not the round
                .flatMap(node -> Mono.defer(() -> scrape(node)).onErrorResume(e -> {
                    log.debug("cannot scrape node {}: {}", node.getMetadata().getName(), e.toString());
                    return Mono.empty();
                }), 8)
                .collect(HashSet<String>::new, Set::add)
                .doOnNext(scraped -> store.roundDone(round, scraped))
                .then();
    }

    private Mono<String> scrape(Node node) {
        String name = node.getMetadata().getName();
        return connections.http().responseTimeout(Duration.ofSeconds(10)).get()
                .uri(NodeConnections.agentUrl(node) + "/stats/summary")
                .responseSingle((head, body) -> head.status().code() == 200 ? body.asByteArray()
                        : Mono.error(new IllegalStateException("HTTP " + head.status().code())))
                .timeout(store.resolution().plusSeconds(5))
                .map(bytes -> {
                    store.record(name, Instant.now(), Json.readTree(bytes));
                    return name;
                });
    }

    static boolean ready(Node node) {
        List<io.fabric8.kubernetes.api.model.NodeCondition> conditions = node.getStatus() == null ? null : node.getStatus().getConditions();
        return conditions != null && conditions.stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    @Override
    public void destroy() {
        if (schedule != null) {
            schedule.dispose();
        }
    }
}
