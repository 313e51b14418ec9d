package dev.coracle.server.controller.namespace;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.InternalClient;
import dev.coracle.server.controller.Controller;
import dev.coracle.server.controller.Informers;
import dev.coracle.server.registry.Registry;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.registry.core.NamespaceStrategy;
import dev.coracle.server.store.RevisionRecord.EventType;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceCondition;
import io.fabric8.kubernetes.api.model.NamespaceStatus;
import io.fabric8.kubernetes.api.model.Pod;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * kube-controller-manager's namespace controller (pkg/controller/namespace/deletion): a namespace
 * with a deletionTimestamp has every object in it deleted (propagationPolicy Background), its status
 * conditions tell what is left and why, and once nothing is left it is finalized — the
 * {@code kubernetes} entry leaves spec.finalizers through the {@code finalize} subresource — so the
 * API server removes it. Content still going away (finalizers, graceful pod termination) is waited
 * for: the namespace is looked at again after half the estimate, and at once when content in it goes.
 */
@Component
public class NamespaceController extends Controller {

    private static final Logger log = LoggerFactory.getLogger(NamespaceController.class);

    /** How long content held by finalizers is assumed to need (deletion.finalizerEstimateSeconds). */
    static final long FINALIZER_ESTIMATE_SECONDS = 15;

    static final List<String> CONDITION_TYPES = List.of("NamespaceDeletionDiscoveryFailure",
            "NamespaceDeletionGroupVersionParsingFailure", "NamespaceDeletionContentFailure", "NamespaceContentRemaining",
            "NamespaceFinalizersRemaining");
    private static final Map<String, String[]> OK = Map.of(
            "NamespaceDeletionDiscoveryFailure", new String[]{"ResourcesDiscovered", "All resources successfully discovered"},
            "NamespaceDeletionGroupVersionParsingFailure", new String[]{"ParsedGroupVersions", "All legacy kube types successfully parsed"},
            "NamespaceDeletionContentFailure", new String[]{"ContentDeleted", "All content successfully deleted, may be waiting on finalization"},
            "NamespaceContentRemaining", new String[]{"ContentRemoved", "All content successfully removed"},
            "NamespaceFinalizersRemaining", new String[]{"ContentHasNoFinalizers", "All content-preserving finalizers finished"});

    private final Registry registry;
    private final InternalClient client;

    public NamespaceController(Registry registry, InternalClient client) {
        this.registry = registry;
        this.client = client;
    }

    @Override
    public String name() {
        return "namespace";
    }

    @Override
    protected void register(Informers informers) {
        var namespaces = informers.of(Namespace.class);
        namespaces.onChange(change -> {
            if (change.type() != EventType.DELETED && change.current().getMetadata().getDeletionTimestamp() != null) {
                enqueue(change.current().getMetadata().getName());
            }
        });
        // content leaving a terminating namespace: look again at once rather than after the estimate
        for (ResourceType type : registry.types()) {
            if (type.namespaced() && !type.plural().equals("events")) {
                informers.metadataOf(type.modelClass()).onChange(change -> {
                    if (change.type() == EventType.DELETED || change.current().getMetadata().getDeletionTimestamp() != null) {
                        String ns = change.current().getMetadata().getNamespace();
                        namespaces.get(ns).filter(n -> n.getMetadata().getDeletionTimestamp() != null).ifPresent(n -> enqueue(ns));
                    }
                });
            }
        }
    }

    @Override
    protected void reconcile(String name) {
        Namespace namespace = client.get(Namespace.class, null, name).orElse(null);
        if (namespace == null || namespace.getMetadata().getDeletionTimestamp() == null) {
            return;
        }
        if (namespace.getStatus() == null || !"Terminating".equals(namespace.getStatus().getPhase())) {
            if (namespace.getStatus() == null) {
                namespace.setStatus(new NamespaceStatus());
            }
            namespace.getStatus().setPhase("Terminating");
            namespace = client.updateStatus(namespace);
        }
        List<String> finalizers = namespace.getSpec() == null ? List.of() : namespace.getSpec().getFinalizers();
        if (!finalizers.contains(NamespaceStrategy.KUBERNETES_FINALIZER)) {
            return; // finalized already: the API server removes it once its other finalizers are gone
        }
        long estimate = deleteAllContent(namespace);
        if (estimate > 0) {
            long wait = estimate / 2 + 1;
            log.debug("content remains in namespace {}; looking again in {}s", name, wait);
            queue.addAfter(name, Duration.ofSeconds(wait));
            return;
        }
        finalizeNamespace(name);
    }

    /** Removes the {@code kubernetes} finalizer, retrying on conflicts as retryOnConflictError does. */
    private void finalizeNamespace(String name) {
        for (int attempt = 1; ; attempt++) {
            Namespace latest = client.get(Namespace.class, null, name).orElse(null);
            if (latest == null) {
                return;
            }
            List<String> finalizers = new ArrayList<>(latest.getSpec() == null ? List.of() : latest.getSpec().getFinalizers());
            if (!finalizers.remove(NamespaceStrategy.KUBERNETES_FINALIZER)) {
                return;
            }
            latest.getSpec().setFinalizers(finalizers.stream().distinct().sorted().toList());
            try {
                client.finalizeNamespace(latest);
                log.debug("namespace {} is empty and finalized", name);
                return;
            } catch (ApiException e) {
                if (e.code() == 404) {
                    return;
                }
                if (e.code() != 409 || attempt >= 5) {
                    throw e;
                }
            }
        }
    }

    /** What is left of one resource in the namespace after a deletion round. */
    private record Remaining(long estimate, int count, Map<String, Integer> finalizers) {
    }

    /** deleteAllContent: deletes every resource's content, records the conditions; the seconds to wait, 0 when empty. */
    long deleteAllContent(Namespace namespace) {
        String ns = namespace.getMetadata().getName();
        Instant deletedAt = Instant.parse(namespace.getMetadata().getDeletionTimestamp());
        long estimate = 0;
        List<String> errors = new ArrayList<>();
        Map<String, Integer> remainingByResource = new TreeMap<>();
        Map<String, Integer> remainingByFinalizer = new TreeMap<>();
        for (ResourceType type : registry.types()) {
            if (!type.namespaced()) {
                continue;
            }
            Remaining remaining;
            try {
                remaining = deleteAllContentOf(type, ns, deletedAt);
            } catch (ContentRemains e) {
                errors.add(e.getMessage());
                remaining = e.remaining;
            } catch (ApiException e) {
                errors.add(e.getMessage());
                continue;
            }
            estimate = Math.max(estimate, remaining.estimate());
            if (remaining.count() > 0) {
                remainingByResource.merge(type.plural() + "." + type.group(), remaining.count(), Integer::sum);
                remaining.finalizers().forEach((f, n) -> remainingByFinalizer.merge(f, n, Integer::sum));
            }
        }
        updateConditions(namespace, errors, remainingByResource, remainingByFinalizer);
        if (!errors.isEmpty()) {
            throw ApiException.internal("deleting the content of namespace " + ns + ": " + String.join("; ", errors));
        }
        return estimate;
    }

    private static final class ContentRemains extends RuntimeException {
        final Remaining remaining;

        ContentRemains(String message, Remaining remaining) {
            super(message);
            this.remaining = remaining;
        }
    }

    /** deleteAllContentForGroupVersionResource: delete each object not yet being deleted, then count what is left. */
    private Remaining deleteAllContentOf(ResourceType type, String ns, Instant deletedAt) {
        long estimate = type.plural().equals("pods") && type.group().isEmpty() ? podsEstimate(ns, deletedAt) : 0;
        for (HasMetadata item : client.list(type.modelClass(), ns, null)) {
            if (item.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            try {
                client.delete(type.modelClass(), ns, item.getMetadata().getName(),
                        new DeleteOptionsBuilder().withPropagationPolicy("Background").build());
            } catch (ApiException e) {
                if (e.code() != 404 && e.code() != 405) {
                    throw e;
                }
            }
        }
        List<? extends HasMetadata> left = client.list(type.modelClass(), ns, null);
        if (left.isEmpty()) {
            return new Remaining(0, 0, Map.of());
        }
        Map<String, Integer> finalizers = new LinkedHashMap<>();
        for (HasMetadata item : left) {
            if (item.getMetadata().getFinalizers() != null) {
                item.getMetadata().getFinalizers().forEach(f -> finalizers.merge(f, 1, Integer::sum));
            }
        }
        if (estimate != 0) {
            return new Remaining(estimate, left.size(), finalizers);
        }
        if (!finalizers.isEmpty()) {
            return new Remaining(FINALIZER_ESTIMATE_SECONDS, left.size(), finalizers);
        }
        throw new ContentRemains("unexpected items still remain in namespace: " + ns + " for gvr: " + type.group() + "/"
                + type.version() + ", Resource=" + type.plural(), new Remaining(0, left.size(), Map.of()));
    }

    /** estimateGracefulTerminationForPods: the longest grace period of the pods not finished, unless already past. */
    private long podsEstimate(String ns, Instant deletedAt) {
        long estimate = 0;
        for (Pod pod : client.list(Pod.class, ns, null)) {
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
                continue;
            }
            Long grace = pod.getSpec() == null ? null : pod.getSpec().getTerminationGracePeriodSeconds();
            if (grace != null && grace > estimate) {
                estimate = grace;
            }
        }
        return Duration.between(deletedAt, Instant.now()).getSeconds() >= estimate ? 0 : estimate;
    }

    // ---- status conditions (status_condition_utils.go) --------------------------------------

    private void updateConditions(Namespace namespace, List<String> errors, Map<String, Integer> remainingByResource,
                                  Map<String, Integer> remainingByFinalizer) {
        Map<String, NamespaceCondition> failing = new LinkedHashMap<>();
        String now = DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        if (!remainingByResource.isEmpty()) {
            List<String> parts = remainingByResource.entrySet().stream()
                    .map(e -> e.getKey() + " has " + e.getValue() + " resource instances").sorted().toList();
            failing.put("NamespaceContentRemaining", condition("NamespaceContentRemaining", "True", now, "SomeResourcesRemain",
                    "Some resources are remaining: " + String.join(", ", parts)));
        }
        if (!remainingByFinalizer.isEmpty()) {
            List<String> parts = remainingByFinalizer.entrySet().stream()
                    .map(e -> e.getKey() + " in " + e.getValue() + " resource instances").sorted().toList();
            failing.put("NamespaceFinalizersRemaining", condition("NamespaceFinalizersRemaining", "True", now, "SomeFinalizersRemain",
                    "Some content in the namespace has finalizers remaining: " + String.join(", ", parts)));
        }
        if (!errors.isEmpty()) {
            List<String> sorted = errors.stream().sorted().toList();
            failing.put("NamespaceDeletionContentFailure", condition("NamespaceDeletionContentFailure", "True", now,
                    "ContentDeletionFailed", "Failed to delete all resource types, " + sorted.size() + " remaining: "
                            + String.join(", ", sorted)));
        }
        if (namespace.getStatus() == null) {
            namespace.setStatus(new NamespaceStatus());
        }
        List<NamespaceCondition> conditions = new ArrayList<>(namespace.getStatus().getConditions() == null
                ? List.of() : namespace.getStatus().getConditions());
        boolean changed = false;
        for (String type : CONDITION_TYPES) {
            NamespaceCondition wanted = failing.containsKey(type) ? failing.get(type)
                    : condition(type, "False", now, OK.get(type)[0], OK.get(type)[1]);
            NamespaceCondition old = conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
            if (old == null) {
                conditions.add(wanted);
                changed = true;
            } else if (!wanted.getStatus().equals(old.getStatus()) || !wanted.getMessage().equals(old.getMessage())
                    || !wanted.getReason().equals(old.getReason())) {
                if (!wanted.getStatus().equals(old.getStatus())) {
                    old.setLastTransitionTime(now);
                }
                old.setStatus(wanted.getStatus());
                old.setReason(wanted.getReason());
                old.setMessage(wanted.getMessage());
                changed = true;
            }
        }
        if (changed) {
            namespace.getStatus().setConditions(conditions);
            try {
                client.updateStatus(namespace);
            } catch (ApiException e) {
                log.debug("couldn't update status condition for namespace {}: {}", namespace.getMetadata().getName(), e.getMessage());
            }
        }
    }

    private static NamespaceCondition condition(String type, String status, String time, String reason, String message) {
        NamespaceCondition c = new NamespaceCondition();
        c.setType(type);
        c.setStatus(status);
        c.setLastTransitionTime(time);
        c.setReason(reason);
        c.setMessage(message);
        return c;
    }
}
