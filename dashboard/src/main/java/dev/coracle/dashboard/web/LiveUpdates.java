package dev.coracle.dashboard.web;

import dev.coracle.dashboard.cluster.ClusterCache;
import dev.coracle.dashboard.cluster.Kind;
import jakarta.annotation.PreDestroy;
import org.springframework.http.MediaType;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.io.IOException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Server-sent events telling open pages that what they show changed: {@code change} (the kinds, coalesced over
 * 100 ms so a burst of watch events costs one page refresh) and {@code health} ("ok" or why the API is unreachable).
 * Fed by the identity's informers, so an open page costs no API request until something changes.
 */
@Component
public class LiveUpdates {

    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();

    final class Subscriber implements ClusterCache.Listener {
        final ClusterCache cache;
        final Set<String> kinds;
        final SseEmitter emitter;
        final Set<String> pending = ConcurrentHashMap.newKeySet();
        final AtomicBoolean closed = new AtomicBoolean();
        volatile String health = "ok";
        volatile long lastSent = System.currentTimeMillis();

        Subscriber(ClusterCache cache, Set<String> kinds, SseEmitter emitter) {
            this.cache = cache;
            this.kinds = kinds;
            this.emitter = emitter;
        }

        @Override
        public void changed(Kind<?> kind, io.fabric8.kubernetes.api.model.HasMetadata object) {
            if (kinds.contains(kind.plural())) {
                pending.add(kind.plural());
            }
        }

        void send(String event, String data) {
            try {
                emitter.send(SseEmitter.event().name(event).data(data, MediaType.TEXT_PLAIN));
                lastSent = System.currentTimeMillis();
            } catch (IOException | IllegalStateException e) {
                close();
            }
        }

        void close() {
            if (closed.compareAndSet(false, true)) {
                cache.removeListener(this);
                subscribers.remove(this);
                emitter.complete();
            }
        }
    }

    public SseEmitter subscribe(ClusterCache cache, Set<String> kinds) {
        SseEmitter emitter = new SseEmitter(0L);
        Subscriber s = new Subscriber(cache, kinds, emitter);
        emitter.onCompletion(s::close);
        emitter.onTimeout(s::close);
        emitter.onError(t -> s.close());
        subscribers.add(s);
        cache.addListener(s);
        // start the informers this page depends on, so changes flow even if the page itself did not list them
        for (String k : kinds) {
            Kind.byPlural(k).ifPresent(kind -> {
                try {
                    cache.list(kind);
                } catch (RuntimeException e) {
                    // shown by the page itself
                }
            });
        }
        s.send("hello", "ok");
        return emitter;
    }

    @Scheduled(fixedDelay = 100)
    void flush() {
        long now = System.currentTimeMillis();
        for (Subscriber s : subscribers) {
            s.cache.touch();
            if (!s.pending.isEmpty()) {
                Set<String> kinds = Set.copyOf(s.pending);
                s.pending.removeAll(kinds);
                s.send("change", String.join(",", kinds));
            }
            String unreachable = s.cache.unreachable();
            String health = unreachable == null ? "ok" : unreachable;
            if (!Objects.equals(health, s.health)) {
                s.health = health;
                s.send("health", health);
            } else if (now - s.lastSent > 15_000) {
                s.send("ping", "");
            }
        }
    }

    int open() {
        return subscribers.size();
    }

    @PreDestroy
    void closeAll() {
        subscribers.forEach(Subscriber::close);
    }
}
