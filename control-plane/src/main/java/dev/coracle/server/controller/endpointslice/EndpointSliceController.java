package dev.coracle.server.controller.endpointslice;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.InternalClient;
import dev.coracle.server.controller.Controller;
import dev.coracle.server.controller.EventRecorder;
import dev.coracle.server.controller.Informer;
import dev.coracle.server.controller.Informers;
import dev.coracle.server.controller.endpoints.ServicePods;
import dev.coracle.server.controller.endpoints.TriggerTimes;
import dev.coracle.server.store.RevisionRecord.EventType;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * kube-controller-manager's endpointslice controller (pkg/controller/endpointslice), as of Kubernetes 1.32: for every
 * Service with a selector, EndpointSlices named after it ({@code generateName: <service>-}), owned by it, labelled
 * {@code kubernetes.io/service-name} and {@code endpointslice.kubernetes.io/managed-by}, holding each selected pod
 * that has an IP as an endpoint (its address, ready/serving/terminating conditions, node, zone and targetRef) with
 * the Service's ports resolved on the pods, at most {@value #MAX_ENDPOINTS_PER_SLICE} endpoints a slice. Slices are
 * updated in place and deleted when no longer needed; a deleted Service's slices go with it through the garbage
 * collector. Services without a selector and ExternalName Services get none (the API server writes the
 * {@code kubernetes} Service's own); topology hints are not computed.
 */
@Component
public class EndpointSliceController extends Controller {

    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    public static final String MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
    static final String HEADLESS_LABEL = "service.kubernetes.io/headless";
    static final String CONTROLLER_NAME = "endpointslice-controller.k8s.io";
    static final String LAST_CHANGE_TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time";
    /** kube-controller-manager's --max-endpoints-per-slice default. */
    static final int MAX_ENDPOINTS_PER_SLICE = 100;
    /** endpointSliceChangeMinSyncDelay: a slice changed by someone else is looked at after this. */
    private static final Duration SLICE_CHANGE_DELAY = Duration.ofSeconds(1);
    private static final String COMPONENT = "endpoint-slice-controller";

    private final InternalClient client;
    private final EventRecorder events;
    private final SliceReconciler reconciler = new SliceReconciler(MAX_ENDPOINTS_PER_SLICE);
    private final SliceTracker tracker = new SliceTracker();
    private final TriggerTimes triggerTimes = new TriggerTimes();
    private Informer<Service> services;
    private Informer<Pod> pods;
    private Informer<EndpointSlice> slices;
    private Informer<Node> nodes;

    public EndpointSliceController(InternalClient client, EventRecorder events) {
        this.client = client;
        this.events = events;
    }

    @Override
    public String name() {
        return "endpointslice";
    }

    @Override
    protected void register(Informers informers) {
        services = informers.of(Service.class);
        pods = informers.of(Pod.class);
        slices = informers.of(EndpointSlice.class);
        nodes = informers.metadataOf(Node.class); // only the names and zone labels are read
        services.onChange(change -> enqueue(Informer.key(change.current())));
        pods.onChange(change -> ServicePods.servicesToUpdate(services, change.type(), change.old(), change.current())
                .forEach(this::enqueue));
        slices.onChange(change -> {
            EndpointSlice slice = change.current();
            if (change.type() == EventType.DELETED) {
                if (managedHere(slice) && tracker.has(slice) && !tracker.deleted(slice)) {
                    enqueueLater(slice); // deleted by someone else: put back
                }
                return;
            }
            EndpointSlice old = change.old();
            String service = SliceTracker.serviceKey(slice);
            if (old != null && !Objects.equals(service, SliceTracker.serviceKey(old))) {
                enqueueLater(slice); // relabelled to another Service: both are looked at again
                enqueueLater(old);
            } else if ((old != null && managedHere(old) != managedHere(slice)) || (managedHere(slice) && tracker.shouldSync(slice))) {
                enqueueLater(slice);
            }
        });
        nodes.onChange(change -> {
            if (change.type() == EventType.ADDED && nodes.hasSynced()) {
                // pods left out while their Node was missing come in now
                pods.list(null, p -> change.current().getMetadata().getName().equals(p.getSpec().getNodeName()))
                        .forEach(p -> ServicePods.servicesToUpdate(services, EventType.ADDED, null, p).forEach(this::enqueue));
            }
        });
    }

    private void enqueueLater(EndpointSlice slice) {
        String key = SliceTracker.serviceKey(slice);
        if (key != null) {
            queue.addAfter(key, SLICE_CHANGE_DELAY);
        }
    }

    private static boolean managedHere(EndpointSlice slice) {
        return slice.getMetadata().getLabels() != null
                && CONTROLLER_NAME.equals(slice.getMetadata().getLabels().get(MANAGED_BY_LABEL));
    }

    @Override
    protected void stopped() {
        tracker.clear();
    }

    // ---- syncService ------------------------------------------------------------------------

    @Override
    protected void reconcile(String key) {
        int slash = key.indexOf('/');
        String namespace = key.substring(0, slash);
        String name = key.substring(slash + 1);
        Service service = services.get(key).orElse(null);
        if (service == null) {
            // its slices go with it through the garbage collector
            triggerTimes.forget(key);
            tracker.forgetService(key);
            return;
        }
        if ("ExternalName".equals(service.getSpec().getType()) || ServicePods.selector(service) == null) {
            return;
        }
        Map<String, String> selector = ServicePods.selector(service);
        List<Pod> selected = pods.list(namespace, p -> ServicePods.matches(selector, ServicePods.labels(p)));
        List<EndpointSlice> existing = slices.list(namespace, s -> managedHere(s)
                && name.equals(s.getMetadata().getLabels().get(SERVICE_NAME_LABEL)) && s.getMetadata().getDeletionTimestamp() == null);
        if (tracker.stale(key, existing)) {
            // a 409, retried with back-off and not logged: the informer catches up within moments
            throw ApiException.of(409, "Conflict", "EndpointSlice informer cache is out of date for " + key);
        }
        Instant triggerTime = triggerTimes.compute(key, service, selected);
        SliceReconciler.Plan plan = reconciler.plan(service, selected, existing, this::nodeZone);
        try {
            write(service, plan, triggerTime);
        } catch (ApiException e) {
            if (e.code() != 409) {
                events.warning(service, COMPONENT, "FailedToUpdateEndpointSlices",
                        "Error updating Endpoint Slices for Service " + key + ": " + e.getMessage());
            }
            throw e;
        }
        if (!plan.skippedPods().isEmpty()) {
            // as Kubernetes: the slices are written without them, and the Service is retried until their Nodes exist
            throw ApiException.of(404, "NotFound", "skipping pods " + plan.skippedPods() + " of Service " + key
                    + ": their Nodes do not exist");
        }
    }

    private Optional<String> nodeZone(String nodeName) {
        if (nodeName == null || nodeName.isEmpty()) {
            return Optional.empty();
        }
        return nodes.get(nodeName).map(n -> n.getMetadata().getLabels() == null ? ""
                : n.getMetadata().getLabels().getOrDefault(PodEndpoints.ZONE_LABEL, ""));
    }

    /** finalize: creates (not while the Service is being deleted), updates, then deletes, each remembered by the tracker. */
    private void write(Service service, SliceReconciler.Plan plan, Instant triggerTime) {
        if (service.getMetadata().getDeletionTimestamp() == null) {
            for (EndpointSlice slice : plan.creates()) {
                setTriggerTime(slice, triggerTime);
                try {
                    tracker.written(client.create(slice));
                } catch (ApiException e) {
                    if (e.code() == 403 && e.getMessage() != null && e.getMessage().contains("being terminated")) {
                        return; // the namespace is going: creates will keep failing
                    }
                    throw e;
                }
            }
        }
        for (EndpointSlice slice : plan.updates()) {
            setTriggerTime(slice, triggerTime);
            tracker.written(client.update(slice));
        }
        for (EndpointSlice slice : plan.deletes()) {
            client.delete(EndpointSlice.class, slice.getMetadata().getNamespace(), slice.getMetadata().getName(), null);
            tracker.expectDeletion(slice);
        }
    }

    private static void setTriggerTime(EndpointSlice slice, Instant triggerTime) {
        Map<String, String> annotations = slice.getMetadata().getAnnotations() == null
                ? new LinkedHashMap<>() : new LinkedHashMap<>(slice.getMetadata().getAnnotations());
        if (triggerTime != null) {
            annotations.put(LAST_CHANGE_TRIGGER_TIME, DateTimeFormatter.ISO_INSTANT.format(triggerTime));
        } else {
            annotations.remove(LAST_CHANGE_TRIGGER_TIME);
        }
        slice.getMetadata().setAnnotations(annotations.isEmpty() ? null : annotations);
    }
}
