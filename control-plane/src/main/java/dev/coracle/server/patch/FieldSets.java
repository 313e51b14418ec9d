package dev.coracle.server.patch;

import dev.coracle.server.patch.PatchStrategies.ListType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The field sets of objects under a {@link Schema}, as structured-merge-diff computes them: which fields an applied
 * configuration sets ({@link #of}), and which fields two versions of an object add, change or remove ({@link #compare}).
 * Scalars, atomic lists/maps/structs and empty containers are leaves; list items are addressed by their keys
 * (list-map), value (set) or index.
 */
final class FieldSets {

    /** A problem with the shape of an applied configuration (missing list key, duplicate item). */
    static final class ShapeException extends RuntimeException {
        ShapeException(String message) {
            super(message);
        }
    }

    /** What changed between two versions of an object. */
    record Comparison(FieldSet added, FieldSet modified, FieldSet removed) {

        FieldSet addedOrModified() {
            return added.union(modified);
        }

        Comparison without(List<List<PathElement>> prefixes) {
            return new Comparison(added.withoutPrefixes(prefixes), modified.withoutPrefixes(prefixes), removed.withoutPrefixes(prefixes));
        }
    }

    private FieldSets() {
    }

    /** The fields a configuration sets (structured-merge-diff's {@code ToFieldSet}); list items must carry their keys. */
    static FieldSet of(JsonNode value, Schema schema) {
        FieldSet set = FieldSet.empty();
        collect(value, schema, new ArrayList<>(), set);
        return set;
    }

    private static void collect(JsonNode value, Schema schema, List<PathElement> path, FieldSet set) {
        if (value instanceof ObjectNode object && schema.isGranularObject()) {
            for (Map.Entry<String, JsonNode> e : object.properties()) {
                JsonNode child = e.getValue();
                path.add(PathElement.field(e.getKey()));
                collect(child, schema.child(e.getKey()), path, set);
                if (child.isNull() || child.isObject() && child.isEmpty() || schema.field(e.getKey()) == null) {
                    set.insert(path);
                }
                path.remove(path.size() - 1);
            }
        } else if (value != null && value.isArray() && schema.isGranularList()) {
            Set<PathElement> seen = new LinkedHashSet<>();
            for (int i = 0; i < value.size(); i++) {
                PathElement pe = itemElement(schema, value.get(i), i, path, true);
                if (!seen.add(pe)) {
                    throw new ShapeException(PathElement.render(path) + ": duplicate entries for key " + pe);
                }
                path.add(pe);
                collect(value.get(i), schema.elem(), path, set);
                set.insert(path);
                path.remove(path.size() - 1);
            }
        } else {
            set.insert(path);
        }
    }

    /**
     * The path element of a list item: its keys for a list-map (defaulted keys filled in), its value for a set,
     * its index otherwise. With {@code strict}, an item missing a key is an error; else it falls back to its index.
     */
    static PathElement itemElement(Schema list, JsonNode item, int index, List<PathElement> path, boolean strict) {
        if (list.listType == ListType.MAP && !list.keys.isEmpty()) {
            if (!(item instanceof ObjectNode object)) {
                if (strict) {
                    throw new ShapeException(PathElement.render(path) + ": element " + index + ": expected a map");
                }
                return PathElement.index(index);
            }
            ObjectNode keys = Json.object();
            for (String key : list.keys) {
                JsonNode v = object.get(key);
                if (v == null || v.isNull()) {
                    String fallback = PatchStrategies.keyDefault(key);
                    if (fallback == null) {
                        if (strict) {
                            throw new ShapeException(PathElement.render(path) + ": element " + index
                                    + ": associative list with keys has an element that omits key field \"" + key
                                    + "\" (and doesn't have default value)");
                        }
                        return PathElement.index(index);
                    }
                    keys.put(key, fallback);
                } else {
                    keys.set(key, v);
                }
            }
            return PathElement.key(keys);
        }
        if (list.listType == ListType.SET || list.listType == ListType.MAP) {
            return PathElement.value(item);
        }
        return PathElement.index(index);
    }

    /** What {@code rhs} adds, changes and removes relative to {@code lhs} (structured-merge-diff's {@code Compare}). */
    static Comparison compare(JsonNode lhs, JsonNode rhs, Schema schema) {
        Comparison c = new Comparison(FieldSet.empty(), FieldSet.empty(), FieldSet.empty());
        compare(lhs, rhs, schema, new ArrayList<>(), c);
        return c;
    }

    private static void compare(JsonNode l, JsonNode r, Schema schema, List<PathElement> path, Comparison c) {
        if (l == null && r == null) {
            return;
        }
        if (isLeaf(l, r, schema)) {
            if (l == null) {
                c.added().insert(path);
            } else if (r == null) {
                c.removed().insert(path);
            } else if (!Json.equal(l, r)) {
                c.modified().insert(path);
            }
            return;
        }
        JsonNode any = l != null ? l : r;
        if (any.isObject()) {
            Set<String> keys = new LinkedHashSet<>();
            if (l != null) {
                keys.addAll(l.propertyNames());
            }
            if (r != null) {
                keys.addAll(r.propertyNames());
            }
            for (String key : keys) {
                Schema.FieldDef field = schema.field(key);
                path.add(PathElement.field(key));
                compare(childOf(l, key, field), childOf(r, key, field), schema.child(key), path, c);
                path.remove(path.size() - 1);
            }
        } else {
            Map<PathElement, JsonNode> left = index(l, schema, path);
            Map<PathElement, JsonNode> right = index(r, schema, path);
            Set<PathElement> all = new LinkedHashSet<>(left.keySet());
            all.addAll(right.keySet());
            for (PathElement pe : all) {
                path.add(pe);
                compare(left.get(pe), right.get(pe), schema.elem(), path, c);
                path.remove(path.size() - 1);
            }
        }
        if (l == null) {
            c.added().insert(path);
        } else if (r == null) {
            c.removed().insert(path);
        }
    }

    /**
     * The value under {@code key}; a field of Go's zero value exists (empty) whenever its parent does, so that
     * creating it is not an addition of its own.
     */
    private static JsonNode childOf(JsonNode parent, String key, Schema.FieldDef field) {
        if (parent == null) {
            return null;
        }
        JsonNode child = parent.get(key);
        if (child == null && field != null && field.inZeroValue() && parent.isObject()) {
            return field.type().kind == Schema.Kind.LIST ? Json.array() : Json.object();
        }
        return child;
    }

    private static Map<PathElement, JsonNode> index(JsonNode list, Schema schema, List<PathElement> path) {
        Map<PathElement, JsonNode> items = new LinkedHashMap<>();
        if (list != null) {
            for (int i = 0; i < list.size(); i++) {
                items.putIfAbsent(itemElement(schema, list.get(i), i, path, false), list.get(i));
            }
        }
        return items;
    }

    /** Whether a pair of values is compared as a whole: scalars, atomic types, mismatched shapes, or both empty. */
    static boolean isLeaf(JsonNode l, JsonNode r, Schema schema) {
        boolean objects = (l == null || l.isObject()) && (r == null || r.isObject());
        boolean arrays = (l == null || l.isArray()) && (r == null || r.isArray());
        if (objects && schema.isGranularObject()) {
            return isEmpty(l) && isEmpty(r);
        }
        if (arrays && schema.isGranularList()) {
            return isEmpty(l) && isEmpty(r);
        }
        return true;
    }

    private static boolean isEmpty(JsonNode n) {
        return n == null || n.isEmpty();
    }
}
