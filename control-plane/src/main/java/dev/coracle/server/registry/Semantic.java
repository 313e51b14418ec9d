package dev.coracle.server.registry;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Deep copies and Kubernetes' "semantic" equality ({@code apiequality.Semantic.DeepEqual}) for model
 * objects: compared as they serialize, where an empty list or map equals an absent one and
 * quantities compare by value.
 */
public final class Semantic {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private Semantic() {
    }

    public static <T> T copy(T object) {
        return object == null ? null : SERIALIZATION.clone(object);
    }

    /** The object as a JSON tree, with nulls and empty lists removed. */
    public static JsonNode tree(Object object) {
        if (object == null) {
            return null;
        }
        JsonNode node = SERIALIZATION.convertValue(object, JsonNode.class);
        return normalize(node);
    }

    public static boolean equal(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a instanceof io.fabric8.kubernetes.api.model.Quantity qa && b instanceof io.fabric8.kubernetes.api.model.Quantity qb) {
            return Quantities.compare(qa, qb) == 0;
        }
        if (a == null && b instanceof String s) {
            return s.isEmpty();
        }
        if (b == null && a instanceof String s) {
            return s.isEmpty();
        }
        if (a == null || b == null) {
            return isEmpty(a) && isEmpty(b);
        }
        if (a instanceof String || a instanceof Number || a instanceof Boolean) {
            return a.equals(b);
        }
        JsonNode ta = tree(a);
        JsonNode tb = tree(b);
        return java.util.Objects.equals(ta, tb);
    }

    private static boolean isEmpty(Object o) {
        if (o == null) {
            return true;
        }
        if (o instanceof java.util.Collection<?> c) {
            return c.isEmpty();
        }
        if (o instanceof java.util.Map<?, ?> m) {
            return m.isEmpty();
        }
        return false;
    }

    private static JsonNode normalize(JsonNode node) {
        if (node instanceof ObjectNode obj) {
            List<String> drop = new ArrayList<>();
            for (var e : obj.properties()) {
                JsonNode v = normalize(e.getValue());
                if (v == null || v.isNull() || (v.isArray() && v.isEmpty())) {
                    drop.add(e.getKey());
                } else {
                    obj.set(e.getKey(), v);
                }
            }
            drop.forEach(obj::remove);
            return obj;
        }
        if (node instanceof ArrayNode arr) {
            for (int i = 0; i < arr.size(); i++) {
                arr.set(i, normalize(arr.get(i)));
            }
            return arr;
        }
        return node;
    }
}
