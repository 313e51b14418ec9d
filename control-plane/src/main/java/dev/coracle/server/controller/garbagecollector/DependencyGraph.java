package dev.coracle.server.controller.garbagecollector;

import dev.coracle.server.registry.ResourceType;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The garbage collector's view of the cluster, as its GraphBuilder keeps it: every watched object by
 * uid with its owner references, and for every owner uid the objects that name it (whether or not the
 * owner itself has been seen, so a dependent observed before its owner is still found).
 */
final class DependencyGraph {

    static final String FOREGROUND = "foregroundDeletion";
    static final String ORPHAN = "orphan";

    /** One object: where it lives, whom it names as owners, and whether it is on its way out. */
    record Node(ResourceType type, String namespace, String name, String uid, List<OwnerReference> owners,
                boolean beingDeleted, List<String> finalizers) {

        static Node of(ResourceType type, HasMetadata object) {
            ObjectMeta meta = object.getMetadata();
            return new Node(type, meta.getNamespace(), meta.getName(), meta.getUid(),
                    meta.getOwnerReferences() == null ? List.of() : List.copyOf(meta.getOwnerReferences()),
                    meta.getDeletionTimestamp() != null,
                    meta.getFinalizers() == null ? List.of() : List.copyOf(meta.getFinalizers()));
        }

        /** Deleted in the foreground: waits for its dependents before it goes. */
        boolean deletingDependents() {
            return beingDeleted && finalizers.contains(FOREGROUND);
        }

        /** Deleted with propagationPolicy Orphan: its dependents are to be released first. */
        boolean orphaning() {
            return beingDeleted && finalizers.contains(ORPHAN);
        }

        OwnerReference ownerReference(String ownerUid) {
            for (OwnerReference ref : owners) {
                if (ownerUid.equals(ref.getUid())) {
                    return ref;
                }
            }
            return null;
        }

        String describe() {
            return type.qualifiedResource() + " " + (namespace == null ? "" : namespace + "/") + name + " (" + uid + ")";
        }
    }

    private final Map<String, Node> nodes = new HashMap<>();
    private final Map<String, Set<String>> dependents = new HashMap<>();

    /** Records the object's latest state; returns what was known of it before, or null. */
    synchronized Node put(Node node) {
        Node old = nodes.put(node.uid(), node);
        if (old != null) {
            for (OwnerReference ref : old.owners()) {
                unlink(ref.getUid(), node.uid());
            }
        }
        for (OwnerReference ref : node.owners()) {
            if (ref.getUid() != null) {
                dependents.computeIfAbsent(ref.getUid(), k -> new HashSet<>()).add(node.uid());
            }
        }
        return old;
    }

    synchronized Node remove(String uid) {
        Node old = nodes.remove(uid);
        if (old != null) {
            for (OwnerReference ref : old.owners()) {
                unlink(ref.getUid(), uid);
            }
        }
        return old;
    }

    synchronized Node get(String uid) {
        return uid == null ? null : nodes.get(uid);
    }

    /** The objects naming {@code ownerUid} among their owners. */
    synchronized List<Node> dependentsOf(String ownerUid) {
        List<Node> out = new ArrayList<>();
        for (String uid : dependents.getOrDefault(ownerUid, Set.of())) {
            Node n = nodes.get(uid);
            if (n != null) {
                out.add(n);
            }
        }
        return out;
    }

    /** Dependents whose reference to the owner has {@code blockOwnerDeletion}: a foreground deletion waits for them. */
    synchronized List<Node> blockingDependentsOf(String ownerUid) {
        List<Node> out = new ArrayList<>();
        for (Node n : dependentsOf(ownerUid)) {
            OwnerReference ref = n.ownerReference(ownerUid);
            if (ref != null && Boolean.TRUE.equals(ref.getBlockOwnerDeletion())) {
                out.add(n);
            }
        }
        return out;
    }

    private void unlink(String ownerUid, String dependentUid) {
        if (ownerUid == null) {
            return;
        }
        Set<String> set = dependents.get(ownerUid);
        if (set != null) {
            set.remove(dependentUid);
            if (set.isEmpty()) {
                dependents.remove(ownerUid);
            }
        }
    }
}
