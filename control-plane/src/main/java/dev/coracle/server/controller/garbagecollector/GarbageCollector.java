package dev.coracle.server.controller.garbagecollector;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.InternalClient;
import dev.coracle.server.api.Json;
import dev.coracle.server.controller.Controller;
import dev.coracle.server.controller.Informer;
import dev.coracle.server.controller.Informers;
import dev.coracle.server.controller.garbagecollector.DependencyGraph.Node;
import dev.coracle.server.patch.PatchType;
import dev.coracle.server.registry.Registry;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.store.RevisionRecord.EventType;
import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ArrayNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * kube-controller-manager's garbage collector: follows every object's {@code metadata.ownerReferences}
 * and deletes what has lost its owners.
 * <ul>
 * <li><b>Background</b>: once an owner is gone (or its uid no longer matches), its dependents are deleted;</li>
 * <li><b>Foreground</b>: an owner marked for deletion with the {@code foregroundDeletion} finalizer has its
 * dependents deleted first (those with dependents of their own in the foreground too); when no dependent
 * with {@code blockOwnerDeletion} is left, the finalizer is removed and the owner goes;</li>
 * <li><b>Orphan</b>: an owner marked for deletion with the {@code orphan} finalizer has its reference
 * removed from its dependents, then the finalizer removed.</li>
 * </ul>
 * Work items are object uids; each is handled as {@code attemptToDeleteItem} / {@code attemptToOrphan}
 * handle it, reading owners live so a lagging graph never deletes what still has an owner.
 * Events are not watched, as Kubernetes' default ignored resources have it.
 */
@Component
public class GarbageCollector extends Controller {

    private static final Logger log = LoggerFactory.getLogger(GarbageCollector.class);

    private final Registry registry;
    private final InternalClient client;
    private final DependencyGraph graph = new DependencyGraph();

    public GarbageCollector(Registry registry, InternalClient client) {
        this.registry = registry;
        this.client = client;
    }

    @Override
    public String name() {
        return "garbagecollector";
    }

    @Override
    protected int workerCount() {
        return 3;
    }

    /** The resources the collector watches: all served ones but events (Kubernetes' DefaultIgnoredResources). */
    static boolean watched(ResourceType type) {
        return !type.plural().equals("events");
    }

    @Override
    protected void register(Informers informers) {
        for (ResourceType type : registry.types()) {
            if (watched(type)) {
                Informer<? extends HasMetadata> informer = informers.metadataOf(type.modelClass());
                informer.onChange(change -> observe(type, change.type(), change.current()));
            }
        }
    }

    // ---- the graph builder ------------------------------------------------------------------

    private void observe(ResourceType type, EventType event, HasMetadata object) {
        if (object == null || object.getMetadata() == null || object.getMetadata().getUid() == null) {
            return;
        }
        Node node = Node.of(type, object);
        if (event == EventType.DELETED) {
            Node old = graph.remove(node.uid());
            Node last = old == null ? node : old;
            // its dependents may have lost their last owner; its owners may wait for it
            graph.dependentsOf(node.uid()).forEach(d -> enqueue(d.uid()));
            enqueueOwnersDeletingDependents(last.owners());
            return;
        }
        Node old = graph.put(node);
        if (old != null) {
            // references removed, or no longer blocking: an owner deleted in the foreground may now go
            List<OwnerReference> released = new ArrayList<>();
            for (OwnerReference before : old.owners()) {
                OwnerReference now = node.ownerReference(before.getUid());
                if (now == null || (Boolean.TRUE.equals(before.getBlockOwnerDeletion()) && !Boolean.TRUE.equals(now.getBlockOwnerDeletion()))) {
                    released.add(before);
                }
            }
            enqueueOwnersDeletingDependents(released);
        }
        if (node.orphaning()) {
            enqueue(node.uid());
        } else if (node.deletingDependents()) {
            if (old == null || !old.deletingDependents()) {
                graph.dependentsOf(node.uid()).forEach(d -> enqueue(d.uid()));
            }
            enqueue(node.uid());
        }
        if (!node.beingDeleted() && !ownedInGraph(node)) {
            // an owner not seen (yet, or any more), or one waiting for its dependents: look at it live
            enqueue(node.uid());
        }
    }

    private void enqueueOwnersDeletingDependents(List<OwnerReference> refs) {
        for (OwnerReference ref : refs) {
            Node owner = graph.get(ref.getUid());
            if (owner != null && owner.deletingDependents()) {
                enqueue(owner.uid());
            }
        }
    }

    private boolean ownedInGraph(Node item) {
        if (item.owners().isEmpty()) {
            return true;
        }
        for (OwnerReference ref : item.owners()) {
            Node owner = graph.get(ref.getUid());
            if (owner == null || owner.deletingDependents() || !sameObject(owner, ref, item)) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameObject(Node owner, OwnerReference ref, Node dependent) {
        return owner.name().equals(ref.getName()) && owner.type().kind().equals(ref.getKind())
                && (owner.namespace() == null || owner.namespace().equals(dependent.namespace()));
    }

    // ---- the workers ------------------------------------------------------------------------

    @Override
    protected void reconcile(String uid) {
        Node item = graph.get(uid);
        if (item == null) {
            return;
        }
        if (!item.beingDeleted() && ownedInGraph(item)) {
            // every owner is known and not waiting for it (as after a start, when dependents were listed
            // before their owners): nothing to read live; an owner's deletion brings the item back here
            return;
        }
        HasMetadata latest = client.get(item.type().modelClass(), item.namespace(), item.name()).orElse(null);
        if (latest == null || !uid.equals(latest.getMetadata().getUid())) {
            return; // gone: its DELETED event brings its dependents here
        }
        ObjectMeta meta = latest.getMetadata();
        List<String> finalizers = meta.getFinalizers() == null ? List.of() : meta.getFinalizers();
        if (meta.getDeletionTimestamp() != null) {
            if (finalizers.contains(DependencyGraph.ORPHAN)) {
                orphanDependents(item);
            } else if (finalizers.contains(DependencyGraph.FOREGROUND)) {
                processDeletingDependents(item);
            }
            // otherwise being deleted is a one-way trip: its dependents are seen to once it is gone
            return;
        }
        List<OwnerReference> owners = meta.getOwnerReferences() == null ? List.of() : meta.getOwnerReferences();
        if (owners.isEmpty()) {
            return;
        }
        List<OwnerReference> solid = new ArrayList<>();
        List<OwnerReference> dangling = new ArrayList<>();
        List<OwnerReference> waiting = new ArrayList<>();
        for (OwnerReference ref : owners) {
            switch (classify(item, ref)) {
                case SOLID -> solid.add(ref);
                case DANGLING -> dangling.add(ref);
                case WAITING_FOR_DEPENDENTS -> waiting.add(ref);
            }
        }
        if (!solid.isEmpty()) {
            if (dangling.isEmpty() && waiting.isEmpty()) {
                return;
            }
            // still owned: only the references to absent owners, and to owners waiting for it, go
            Set<String> drop = new HashSet<>();
            dangling.forEach(r -> drop.add(r.getUid()));
            waiting.forEach(r -> drop.add(r.getUid()));
            log.debug("removing dangling and waiting owner references {} from {}", drop, item.describe());
            editList(item, "ownerReferences", o -> without(o.getMetadata().getOwnerReferences(), drop));
            return;
        }
        if (!waiting.isEmpty() && !graph.dependentsOf(uid).isEmpty()) {
            for (Node dependent : graph.dependentsOf(uid)) {
                if (dependent.deletingDependents()) {
                    // an owner and a dependent both waiting: unblock our owners rather than wait on each other
                    editList(item, "ownerReferences", o -> unblocked(o.getMetadata().getOwnerReferences()));
                    break;
                }
            }
            log.debug("deleting {} in the foreground: an owner waits for it and it has dependents", item.describe());
            delete(item, "Foreground");
            return;
        }
        String policy = finalizers.contains(DependencyGraph.ORPHAN) ? "Orphan"
                : finalizers.contains(DependencyGraph.FOREGROUND) ? "Foreground" : "Background";
        log.debug("deleting {} (propagationPolicy {}): no owner left", item.describe(), policy);
        delete(item, policy);
    }

    private enum OwnerState { SOLID, DANGLING, WAITING_FOR_DEPENDENTS }

    /** isDangling and classifyReferences: the owner is read live, in the dependent's namespace when namespaced. */
    private OwnerState classify(Node item, OwnerReference ref) {
        Optional<ResourceType> ownerType = typeOf(ref);
        if (ownerType.isEmpty()) {
            // a kind this server does not serve: it cannot be checked, so the reference is left alone
            log.debug("{} names an owner of unknown kind {} {}", item.describe(), ref.getApiVersion(), ref.getKind());
            return OwnerState.SOLID;
        }
        ResourceType type = ownerType.get();
        if (type.namespaced() && (item.namespace() == null || item.namespace().isEmpty())) {
            log.debug("{} is cluster-scoped but names a namespaced owner {} {}", item.describe(), ref.getKind(), ref.getName());
            return OwnerState.SOLID;
        }
        HasMetadata owner = client.get(type.modelClass(), type.namespaced() ? item.namespace() : null, ref.getName()).orElse(null);
        if (owner == null || !Objects.equals(owner.getMetadata().getUid(), ref.getUid())) {
            return OwnerState.DANGLING;
        }
        ObjectMeta meta = owner.getMetadata();
        if (meta.getDeletionTimestamp() != null && meta.getFinalizers() != null && meta.getFinalizers().contains(DependencyGraph.FOREGROUND)) {
            return OwnerState.WAITING_FOR_DEPENDENTS;
        }
        return OwnerState.SOLID;
    }

    /** The served resource an owner reference names: by group (any version) and kind, as the REST mapper finds it. */
    private Optional<ResourceType> typeOf(OwnerReference ref) {
        if (ref.getApiVersion() == null || ref.getKind() == null) {
            return Optional.empty();
        }
        String apiVersion = ref.getApiVersion();
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        ResourceType found = null;
        for (ResourceType t : registry.types()) {
            if (t.group().equals(group) && t.kind().equals(ref.getKind())) {
                if (t.apiVersion().equals(apiVersion)) {
                    return Optional.of(t);
                }
                found = found == null ? t : found;
            }
        }
        return Optional.ofNullable(found);
    }

    /** processDeletingDependentsItem: the finalizer goes once no blocking dependent is left. */
    private void processDeletingDependents(Node item) {
        List<Node> blocking = graph.blockingDependentsOf(item.uid());
        if (blocking.isEmpty()) {
            log.debug("removing the foregroundDeletion finalizer of {}", item.describe());
            editList(item, "finalizers", o -> without(o.getMetadata().getFinalizers(), DependencyGraph.FOREGROUND));
            return;
        }
        for (Node dependent : blocking) {
            if (!dependent.deletingDependents()) {
                enqueue(dependent.uid());
            }
        }
    }

    /** attemptToOrphan: every dependent loses its reference to the owner, then the owner its orphan finalizer. */
    private void orphanDependents(Node owner) {
        for (Node dependent : graph.dependentsOf(owner.uid())) {
            editList(dependent, "ownerReferences", o -> without(o.getMetadata().getOwnerReferences(), Set.of(owner.uid())));
        }
        log.debug("removing the orphan finalizer of {}", owner.describe());
        editList(owner, "finalizers", o -> without(o.getMetadata().getFinalizers(), DependencyGraph.ORPHAN));
    }

    /** Deletes the item with a uid precondition, so a new object of the same name is never taken for it. */
    private void delete(Node item, String policy) {
        DeleteOptions options = new DeleteOptionsBuilder().withPropagationPolicy(policy)
                .withNewPreconditions().withUid(item.uid()).endPreconditions().build();
        try {
            client.delete(item.type().modelClass(), item.namespace(), item.name(), options);
        } catch (ApiException e) {
            if (e.code() != 409) { // 409: the uid precondition failed, the object is another one by now
                throw e;
            }
        }
    }

    // ---- metadata edits ---------------------------------------------------------------------

    private static List<OwnerReference> without(List<OwnerReference> refs, Set<String> uids) {
        if (refs == null || refs.stream().noneMatch(r -> uids.contains(r.getUid()))) {
            return null;
        }
        return refs.stream().filter(r -> !uids.contains(r.getUid())).toList();
    }

    private static List<String> without(List<String> finalizers, String finalizer) {
        if (finalizers == null || !finalizers.contains(finalizer)) {
            return null;
        }
        return finalizers.stream().filter(f -> !f.equals(finalizer)).toList();
    }

    private static List<OwnerReference> unblocked(List<OwnerReference> refs) {
        if (refs == null || refs.stream().noneMatch(r -> Boolean.TRUE.equals(r.getBlockOwnerDeletion()))) {
            return null;
        }
        return refs.stream().map(r -> Boolean.TRUE.equals(r.getBlockOwnerDeletion())
                ? new OwnerReferenceBuilder(r).withBlockOwnerDeletion(false).build() : r).toList();
    }

    /**
     * Replaces one list of the object's metadata with what {@code edit} makes of the latest object (null:
     * nothing to change), as a JSON patch that tests uid and resourceVersion first, so the edit applies to
     * exactly the object read and never recreates one deleted meanwhile. False when the object is gone.
     */
    private boolean editList(Node node, String field, Function<HasMetadata, List<?>> edit) {
        for (int attempt = 1; ; attempt++) {
            HasMetadata latest = client.get(node.type().modelClass(), node.namespace(), node.name()).orElse(null);
            if (latest == null || !node.uid().equals(latest.getMetadata().getUid())) {
                return false;
            }
            List<?> wanted = edit.apply(latest);
            if (wanted == null) {
                return true;
            }
            ArrayNode patch = Json.MAPPER.createArrayNode();
            patch.addObject().put("op", "test").put("path", "/metadata/uid").put("value", node.uid());
            patch.addObject().put("op", "test").put("path", "/metadata/resourceVersion")
                    .put("value", latest.getMetadata().getResourceVersion());
            if (wanted.isEmpty()) {
                patch.addObject().put("op", "remove").put("path", "/metadata/" + field);
            } else {
                patch.addObject().put("op", "replace").put("path", "/metadata/" + field).set("value", Json.MAPPER.valueToTree(wanted));
            }
            try {
                client.patch(node.type().modelClass(), node.namespace(), node.name(), PatchType.JSON_PATCH, Json.write(patch));
                return true;
            } catch (ApiException e) {
                if (e.code() == 404) {
                    return false;
                }
                if ((e.code() != 409 && e.code() != 422) || attempt >= 5) {
                    throw e;
                }
            }
        }
    }
}
