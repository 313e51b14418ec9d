package dev.coracle.server.patch;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The fields a create owns depend on the created object's shape only (its field names, list item keys, which values
 * are empty or of which JSON type), never on its scalar values; a controller creates the same shape again and again
 * (every pod of a ReplicaSet). So the {@code fieldsV1} of a create is computed once per shape and copied after that.
 * A shape is spelled by walking the object as {@link FieldSets#compare} does; when more than {@link #LIMIT} shapes
 * are known, they are forgotten and learnt again.
 */
final class CreatedShapes {

    static final int LIMIT = 512;

    private final Map<String, ObjectNode> fieldsByShape = new ConcurrentHashMap<>();

    /** The {@code fieldsV1} of {@code created}'s shape under {@code prefix} (what else it depends on), made by {@code compute} once. */
    ObjectNode fieldsV1(String prefix, JsonNode created, Schema schema, Supplier<ObjectNode> compute) {
        StringBuilder shape = new StringBuilder(512).append(prefix).append('|');
        spell(created, schema, shape);
        String key = shape.toString();
        ObjectNode known = fieldsByShape.get(key);
        if (known == null) {
            known = compute.get();
            if (fieldsByShape.size() >= LIMIT) {
                fieldsByShape.clear();
            }
            fieldsByShape.put(key, known);
        }
        return known.deepCopy();
    }

    int size() {
        return fieldsByShape.size();
    }

    /** Everything of {@code node} that the comparison with an empty object reads: structure, item keys, leaf kinds. */
    private static void spell(JsonNode node, Schema schema, StringBuilder out) {
        if (node.isObject() && !node.isEmpty() && schema.isGranularObject()) {
            out.append('{');
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                Json.quote(e.getKey(), out);
                out.append(':');
                spell(e.getValue(), schema.child(e.getKey()), out);
                out.append(',');
            }
            out.append('}');
        } else if (node.isArray() && !node.isEmpty() && schema.isGranularList()) {
            out.append('[');
            for (int i = 0; i < node.size(); i++) {
                out.append(FieldSets.itemElement(schema, node.get(i), i, java.util.List.of(), false).encoded()).append('=');
                spell(node.get(i), schema.elem(), out);
                out.append(',');
            }
            out.append(']');
        } else {
            // a leaf: compared as a whole with nothing or an empty zero value, so only its kind and emptiness count
            out.append(node.getNodeType().ordinal()).append(node.isContainer() && node.isEmpty() ? 'e' : 'v');
        }
    }
}
