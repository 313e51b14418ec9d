package dev.coracle.server.patch;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A set of field paths as structured-merge-diff keeps them: at each level the elements that are themselves in the
 * set ("members") and the sub-sets below elements ("children"). Its JSON form is {@code fieldsV1}, where a member
 * that also has children is written {@code ".": {}}. Instances are immutable once built; operations return new sets.
 */
final class FieldSet {

    private final TreeSet<PathElement> members = new TreeSet<>();
    private final TreeMap<PathElement, FieldSet> children = new TreeMap<>();

    static FieldSet empty() {
        return new FieldSet();
    }

    boolean isEmpty() {
        return members.isEmpty() && children.isEmpty();
    }

    boolean hasMember(PathElement pe) {
        return members.contains(pe);
    }

    /** The sub-set below {@code pe}, or null. */
    FieldSet child(PathElement pe) {
        return children.get(pe);
    }

    /** Adds a path (used while building a set). */
    void insert(List<PathElement> path) {
        if (path.isEmpty()) {
            return;
        }
        FieldSet set = this;
        for (int i = 0; i < path.size() - 1; i++) {
            set = set.children.computeIfAbsent(path.get(i), k -> new FieldSet());
        }
        set.members.add(path.get(path.size() - 1));
    }

    FieldSet union(FieldSet other) {
        FieldSet out = copy();
        out.members.addAll(other.members);
        other.children.forEach((pe, c) -> {
            FieldSet mine = out.children.get(pe);
            out.children.put(pe, mine == null ? c.copy() : mine.union(c));
        });
        return out;
    }

    FieldSet difference(FieldSet other) {
        FieldSet out = new FieldSet();
        for (PathElement pe : members) {
            if (!other.members.contains(pe)) {
                out.members.add(pe);
            }
        }
        children.forEach((pe, c) -> {
            FieldSet theirs = other.children.get(pe);
            FieldSet rest = theirs == null ? c.copy() : c.difference(theirs);
            if (!rest.isEmpty()) {
                out.children.put(pe, rest);
            }
        });
        return out;
    }

    FieldSet intersection(FieldSet other) {
        FieldSet out = new FieldSet();
        for (PathElement pe : members) {
            if (other.members.contains(pe)) {
                out.members.add(pe);
            }
        }
        children.forEach((pe, c) -> {
            FieldSet theirs = other.children.get(pe);
            if (theirs != null) {
                FieldSet both = c.intersection(theirs);
                if (!both.isEmpty()) {
                    out.children.put(pe, both);
                }
            }
        });
        return out;
    }

    /** This set without the given paths and everything below them (how reset fields such as {@code status} are ignored). */
    FieldSet withoutPrefixes(List<List<PathElement>> prefixes) {
        FieldSet out = copy();
        for (List<PathElement> prefix : prefixes) {
            out.removePrefix(prefix, 0);
        }
        return out;
    }

    private void removePrefix(List<PathElement> prefix, int at) {
        PathElement pe = prefix.get(at);
        if (at == prefix.size() - 1) {
            members.remove(pe);
            children.remove(pe);
            return;
        }
        FieldSet c = children.get(pe);
        if (c != null) {
            c.removePrefix(prefix, at + 1);
            if (c.isEmpty()) {
                children.remove(pe);
            }
        }
    }

    FieldSet copy() {
        FieldSet out = new FieldSet();
        out.members.addAll(members);
        children.forEach((pe, c) -> out.children.put(pe, c.copy()));
        return out;
    }

    /** Every member path: at each level the members first, then the children's, as structured-merge-diff iterates. */
    List<List<PathElement>> paths() {
        List<List<PathElement>> out = new ArrayList<>();
        collect(new ArrayList<>(), out);
        return out;
    }

    private void collect(List<PathElement> prefix, List<List<PathElement>> out) {
        for (PathElement pe : members) {
            List<PathElement> path = new ArrayList<>(prefix);
            path.add(pe);
            out.add(Collections.unmodifiableList(path));
        }
        children.forEach((pe, c) -> {
            prefix.add(pe);
            c.collect(prefix, out);
            prefix.remove(prefix.size() - 1);
        });
    }

    /**
     * This set with every struct field that has something below it also a member (structured-merge-diff's
     * {@code EnsureNamedFieldsAreMembers}): owning {@code spec.replicas} means owning that {@code spec} exists.
     */
    FieldSet withNamedFieldsAsMembers(Schema schema) {
        FieldSet out = new FieldSet();
        out.members.addAll(members);
        children.forEach((pe, c) -> {
            Schema childSchema;
            if (pe.isField()) {
                if (schema.field(pe.fieldName()) != null) {
                    out.members.add(pe);
                }
                childSchema = schema.child(pe.fieldName());
            } else {
                childSchema = schema.elem();
            }
            out.children.put(pe, c.withNamedFieldsAsMembers(childSchema));
        });
        return out;
    }

    /** The {@code fieldsV1} JSON of this set. */
    ObjectNode toFieldsV1() {
        ObjectNode out = Json.object();
        TreeSet<PathElement> all = new TreeSet<>(members);
        all.addAll(children.keySet());
        for (PathElement pe : all) {
            FieldSet c = children.get(pe);
            if (c == null) {
                out.set(pe.encoded(), Json.object());
            } else {
                ObjectNode node = Json.object();
                if (members.contains(pe)) {
                    node.set(".", Json.object());
                }
                node.setAll(c.toFieldsV1());
                out.set(pe.encoded(), node);
            }
        }
        return out;
    }

    /** Parses {@code fieldsV1}; throws IllegalArgumentException when it is not well formed. */
    static FieldSet fromFieldsV1(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("fieldsV1 must be an object");
        }
        FieldSet out = new FieldSet();
        for (Map.Entry<String, JsonNode> e : json.properties()) {
            if (e.getKey().equals(".")) {
                continue;
            }
            PathElement pe = PathElement.parse(e.getKey());
            JsonNode value = e.getValue();
            if (!value.isObject()) {
                throw new IllegalArgumentException("fieldsV1 values must be objects");
            }
            if (value.isEmpty() || value.has(".")) {
                out.members.add(pe);
            }
            FieldSet c = fromFieldsV1(value);
            if (!c.isEmpty()) {
                out.children.put(pe, c);
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FieldSet s && members.equals(s.members) && children.equals(s.children);
    }

    @Override
    public int hashCode() {
        return Objects.hash(members, children);
    }

    @Override
    public String toString() {
        return toFieldsV1().toString();
    }
}
