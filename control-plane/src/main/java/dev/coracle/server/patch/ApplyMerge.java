package dev.coracle.server.patch;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The two object transformations of server-side apply: merging an applied configuration into the live object
 * (structured-merge-diff's {@code Merge}: granular maps and structs key by key, list-maps and sets item by item
 * keeping the live order where it can, atomic values replaced), and removing what a manager applied before and
 * no longer applies when no manager owns it any more (its {@code prune}).
 */
final class ApplyMerge {

    private ApplyMerge() {
    }

    /** {@code live} with {@code config} merged in; neither is modified. */
    static ObjectNode merge(ObjectNode live, ObjectNode config, Schema schema) {
        JsonNode merged = merge(live, config, schema, new ArrayList<>());
        return merged instanceof ObjectNode o ? o : Json.object();
    }

    /** The merged value, or null when the configuration sets the field to null (removing it). */
    private static JsonNode merge(JsonNode l, JsonNode r, Schema schema, List<PathElement> path) {
        if (r.isNull()) {
            return null;
        }
        if (l == null || l.isNull() || FieldSets.isLeaf(l, r, schema)) {
            return Json.withoutNulls(r);
        }
        if (r.isObject()) {
            ObjectNode out = (ObjectNode) l.deepCopy();
            for (Map.Entry<String, JsonNode> e : r.properties()) {
                path.add(PathElement.field(e.getKey()));
                JsonNode merged = merge(l.get(e.getKey()), e.getValue(), schema.child(e.getKey()), path);
                path.remove(path.size() - 1);
                if (merged == null) {
                    out.remove(e.getKey());
                } else {
                    out.set(e.getKey(), merged);
                }
            }
            return out;
        }
        return mergeList((ArrayNode) l, (ArrayNode) r, schema, path);
    }

    /** structured-merge-diff's list merge: configured items in their order, live-only items kept near their place. */
    private static ArrayNode mergeList(ArrayNode lhs, ArrayNode rhs, Schema schema, List<PathElement> path) {
        List<PathElement> lhsPEs = new ArrayList<>();
        Map<PathElement, JsonNode> observedLhs = new HashMap<>();
        for (int i = 0; i < lhs.size(); i++) {
            PathElement pe = FieldSets.itemElement(schema, lhs.get(i), i, path, false);
            lhsPEs.add(pe);
            observedLhs.putIfAbsent(pe, lhs.get(i));
        }
        List<PathElement> rhsPEs = new ArrayList<>();
        Map<PathElement, JsonNode> observedRhs = new HashMap<>();
        for (int i = 0; i < rhs.size(); i++) {
            PathElement pe = FieldSets.itemElement(schema, rhs.get(i), i, path, true);
            if (observedRhs.putIfAbsent(pe, rhs.get(i)) != null) {
                throw new FieldSets.ShapeException(PathElement.render(path) + ": duplicate entries for key " + pe);
            }
            rhsPEs.add(pe);
        }
        List<PathElement> sharedOrder = new ArrayList<>();
        for (PathElement pe : rhsPEs) {
            if (observedLhs.containsKey(pe)) {
                sharedOrder.add(pe);
            }
        }
        Iterator<PathElement> shared = sharedOrder.iterator();
        PathElement nextShared = shared.hasNext() ? shared.next() : null;

        ArrayNode out = Json.array();
        Set<PathElement> mergedRhs = new HashSet<>();
        int lI = 0;
        int rI = 0;
        while (lI < lhsPEs.size() || rI < rhsPEs.size()) {
            if (lI < lhsPEs.size() && rI < rhsPEs.size()) {
                PathElement pe = lhsPEs.get(lI);
                if (pe.equals(rhsPEs.get(rI))) {
                    mergedRhs.add(pe);
                    addItem(out, observedLhs.get(pe), observedRhs.get(pe), schema, path, pe);
                    lI++;
                    rI++;
                    nextShared = shared.hasNext() ? shared.next() : null;
                    continue;
                }
                if (observedRhs.containsKey(pe) && nextShared != null && !nextShared.equals(pe)) {
                    lI++;
                    continue;
                }
            }
            if (lI < lhsPEs.size()) {
                PathElement pe = lhsPEs.get(lI);
                if (!observedRhs.containsKey(pe)) {
                    out.add(lhs.get(lI).deepCopy());
                    lI++;
                    continue;
                }
                if (mergedRhs.contains(pe)) {
                    lI++;
                    continue;
                }
            }
            if (rI < rhsPEs.size()) {
                PathElement pe = rhsPEs.get(rI);
                mergedRhs.add(pe);
                addItem(out, observedLhs.get(pe), observedRhs.get(pe), schema, path, pe);
                rI++;
                if (pe.equals(nextShared)) {
                    nextShared = shared.hasNext() ? shared.next() : null;
                }
            }
        }
        return out;
    }

    private static void addItem(ArrayNode out, JsonNode l, JsonNode r, Schema schema, List<PathElement> path, PathElement pe) {
        path.add(pe);
        JsonNode merged = merge(l, r, schema.elem(), path);
        path.remove(path.size() - 1);
        if (merged != null) {
            out.add(merged);
        }
    }

    /**
     * Removes, in place, every field or item that is a member of {@code last} (what the manager applied before)
     * and not of {@code owned} (what all managers, this one's new configuration included, own now). Both sets
     * have their struct fields as members. A map or list emptied this way is removed too.
     */
    static void prune(ObjectNode object, Schema schema, FieldSet last, FieldSet owned) {
        prune((JsonNode) object, schema, last, owned);
    }

    private static void prune(JsonNode node, Schema schema, FieldSet last, FieldSet owned) {
        if (node instanceof ObjectNode object && schema.isGranularObject()) {
            for (String key : new ArrayList<>(object.propertyNames())) {
                PathElement pe = PathElement.field(key);
                if (shouldRemove(pe, last, owned)) {
                    object.remove(key);
                } else if (pruneBelow(object.get(key), schema.child(key), pe, last, owned)) {
                    object.remove(key);
                }
            }
        } else if (node instanceof ArrayNode array && schema.isGranularList()) {
            List<PathElement> noPath = List.of();
            for (int i = array.size() - 1; i >= 0; i--) {
                PathElement pe = FieldSets.itemElement(schema, array.get(i), i, noPath, false);
                if (shouldRemove(pe, last, owned) || pruneBelow(array.get(i), schema.elem(), pe, last, owned)) {
                    array.remove(i);
                }
            }
        }
    }

    private static boolean shouldRemove(PathElement pe, FieldSet last, FieldSet owned) {
        return last.hasMember(pe) && (owned == null || !owned.hasMember(pe));
    }

    /** Prunes below {@code pe}; true when that emptied a container that was not empty. */
    private static boolean pruneBelow(JsonNode child, Schema schema, PathElement pe, FieldSet last, FieldSet owned) {
        FieldSet lastBelow = last.child(pe);
        if (lastBelow == null || child == null || !(child.isObject() || child.isArray()) || child.isEmpty()) {
            return false;
        }
        prune(child, schema, lastBelow, owned == null ? null : owned.child(pe));
        return child.isEmpty();
    }
}
