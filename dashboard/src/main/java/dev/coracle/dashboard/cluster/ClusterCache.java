package dev.coracle.dashboard.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One identity's view of the cluster: a shared informer (list once, then watch) per resource kind, started the first
 * time a page needs that kind. Every page and live stream of every session of that identity reads from here, so 5,000
 * pods and many open pages cost one watch per kind, not one request per page.
 */
public final class ClusterCache implements AutoCloseable {

    /** How long a page waits for a kind's first list before showing what it has (and the unreachable banner). */
    private static final long SYNC_WAIT_MS = 8_000;

    public interface Listener {
        void changed(Kind<?> kind, HasMetadata object);
    }

    private record Watched(SharedIndexInformer<? extends HasMetadata> informer, CompletableFuture<Void> synced, long startedAt) {
    }

    private final KubernetesClient client;
    private final Map<Kind<?>, Watched> watched = new ConcurrentHashMap<>();
    private final Map<Kind<?>, ApiProblem> problems = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile long lastUsed = System.currentTimeMillis();
    private volatile boolean closed;

    public ClusterCache(KubernetesClient client) {
        this.client = client;
    }

    public KubernetesClient client() {
        touch();
        return client;
    }

    public void touch() {
        lastUsed = System.currentTimeMillis();
    }

    long lastUsed() {
        return lastUsed;
    }

    boolean hasListeners() {
        return !listeners.isEmpty();
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    /** Every object of a kind, from the informer's store; starts the watch on first use. */
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> List<T> list(Kind<T> kind) {
        Watched w = ensure(kind);
        return (List<T>) w.informer.getStore().list();
    }

    /** One object by namespace and name (namespace null for cluster-scoped kinds). */
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> Optional<T> get(Kind<T> kind, String namespace, String name) {
        Watched w = ensure(kind);
        String key = namespace == null ? name : Cache.namespaceKeyFunc(namespace, name);
        return Optional.ofNullable((T) w.informer.getStore().getByKey(key));
    }

    private Watched ensure(Kind<?> kind) {
        touch();
        ApiProblem problem = problems.get(kind);
        Watched w = watched.computeIfAbsent(kind, this::start);
        try {
            w.synced.get(SYNC_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // the API is slow or down: show what the store has; the banner says the API is unreachable
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // refused (401/403) or not served (404): forget this informer so the next page tries again
            watched.remove(kind, w);
            w.informer.stop();
            ApiProblem p = problems.getOrDefault(kind, ApiProblem.of(e.getCause()));
            throw p;
        }
        if (problem != null && problem.authorization() && !w.informer.isWatching()) {
            throw problem;
        }
        return w;
    }

    private Watched start(Kind<?> kind) {
        problems.remove(kind);
        SharedIndexInformer<? extends HasMetadata> informer = kind.source().apply(client).runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<HasMetadata>() {
            @Override
            public void onAdd(HasMetadata obj) {
                fire(kind, obj);
            }

            @Override
            public void onUpdate(HasMetadata oldObj, HasMetadata newObj) {
                fire(kind, newObj);
            }

            @Override
            public void onDelete(HasMetadata obj, boolean deletedFinalStateUnknown) {
                fire(kind, obj);
            }
        });
        informer.exceptionHandler((started, t) -> {
            ApiProblem p = ApiProblem.of(t);
            problems.put(kind, p);
            // wrong credentials or a kind the server does not serve will not heal by retrying; a network error will
            return !(p.authorization() || p.code() == 404);
        });
        CompletableFuture<Void> synced = informer.start().toCompletableFuture();
        return new Watched(informer, synced, System.currentTimeMillis());
    }

    private void fire(Kind<?> kind, HasMetadata obj) {
        problems.remove(kind);
        for (Listener l : listeners) {
            l.changed(kind, obj);
        }
    }

    /**
     * Null when every started watch is running; otherwise why not (the API unreachable). Reads only local state: the
     * informers notice a broken watch and keep re-establishing it by themselves.
     */
    public String unreachable() {
        long now = System.currentTimeMillis();
        for (Map.Entry<Kind<?>, Watched> e : watched.entrySet()) {
            Watched w = e.getValue();
            ApiProblem p = problems.get(e.getKey());
            boolean refused = p != null && (p.authorization() || p.code() == 404);
            // a fresh informer is not watching yet while it lists; give it a moment before raising the banner
            if (w.informer.isRunning() && !w.informer.isWatching() && !refused && now - w.startedAt > 3_000) {
                return p != null ? p.getMessage() : "the watch on " + e.getKey() + " is not running";
            }
        }
        return null;
    }

    public boolean closed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        watched.values().forEach(w -> w.informer.stop());
        watched.clear();
        client.close();
    }
}
