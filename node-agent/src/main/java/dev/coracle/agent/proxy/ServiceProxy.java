package dev.coracle.agent.proxy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The node's kube-proxy in iptables mode: watches Services and EndpointSlices and keeps the node's NAT rules saying
 * where each cluster IP and node port leads ({@link ProxyRules}). Changes are batched (a sync at most every
 * {@link #MIN_SYNC_PERIOD_MS} ms, kube-proxy's {@code minSyncPeriod}) and all rules are rewritten every
 * {@link #SYNC_PERIOD_S} s anyway ({@code syncPeriod}), which also repairs rules someone else removed.
 */
public final class ServiceProxy implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServiceProxy.class);
    static final long MIN_SYNC_PERIOD_MS = 1000;
    static final long SYNC_PERIOD_S = 30;

    private final SharedIndexInformer<Service> services;
    private final SharedIndexInformer<EndpointSlice> slices;
    private final String clusterCidr;
    private final boolean cleanupOnClose;
    private final Iptables iptables = new Iptables();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "service-proxy");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean syncPending = new AtomicBoolean();
    private volatile long lastSync;

    /**
     * @param services       the agent's watch of every Service (shared)
     * @param cleanupOnClose whether the rules go when the agent stops (with its pods) or stay for the next agent
     */
    public ServiceProxy(KubernetesClient client, SharedIndexInformer<Service> services, String clusterCidr, boolean cleanupOnClose) {
        this.services = services;
        this.slices = client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0);
        this.clusterCidr = clusterCidr;
        this.cleanupOnClose = cleanupOnClose;
    }

    /** Whether the rules can be written here (root, iptables installed). */
    public static boolean available() {
        return Iptables.available();
    }

    public void start() {
        services.addEventHandler(syncOnChange());
        slices.addEventHandler(syncOnChange());
        slices.run();
        executor.scheduleWithFixedDelay(this::sync, 0, SYNC_PERIOD_S, TimeUnit.SECONDS);
    }

    private <T> ResourceEventHandler<T> syncOnChange() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                requestSync();
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                requestSync();
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                requestSync();
            }
        };
    }

    private void requestSync() {
        if (syncPending.compareAndSet(false, true)) {
            long wait = Math.max(0, lastSync + MIN_SYNC_PERIOD_MS - System.currentTimeMillis());
            executor.schedule(this::sync, wait, TimeUnit.MILLISECONDS);
        }
    }

    /** {@code syncProxyRules}: every chain rewritten from the Services and slices known now. */
    private void sync() {
        syncPending.set(false);
        lastSync = System.currentTimeMillis();
        try {
            var entries = ProxyRules.entries(services.getStore().list(), slices.getStore().list());
            iptables.restore(ProxyRules.restoreInput(entries, clusterCidr, iptables.natChains()));
            iptables.ensureJumps();
        } catch (IOException | RuntimeException e) {
            log.warn("could not write the Service rules (tried again within {} s): {}", SYNC_PERIOD_S, e.getMessage());
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        slices.close();
        if (cleanupOnClose) {
            try {
                iptables.cleanup();
            } catch (IOException e) {
                log.warn("could not remove the Service rules: {}", e.getMessage());
            }
        }
    }
}
