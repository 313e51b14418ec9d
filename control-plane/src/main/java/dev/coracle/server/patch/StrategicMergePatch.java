package dev.coracle.server.patch;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.patch.Schema.FieldDef;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Strategic merge patch ({@code application/strategic-merge-patch+json}) as k8s.io/apimachinery's
 * {@code strategicpatch} applies it server side: lists tagged {@code patchStrategy=merge} are merged by their
 * {@code patchMergeKey} (or as sets of primitives), other lists are replaced; {@code null} deletes a key;
 * directives {@code $patch: replace|delete|merge}, {@code $setElementOrder/<list>}, {@code $retainKeys} and
 * {@code $deleteFromPrimitiveList/<list>} are honoured, and the order of merged lists follows kubectl's rules
 * ({@code $setElementOrder} first, then the patch's order, then the live order).
 *
 * <p>Badly formed directives are a 400 (kube-apiserver answers some of them with a 500); lists of lists are a 422.
 */
public final class StrategicMergePatch {

    private static final String DIRECTIVE = "$patch";
    private static final String RETAIN_KEYS = "$retainKeys";
    private static final String SET_ELEMENT_ORDER = "$setElementOrder/";
    private static final String DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList/";

    private enum ElementKind { OBJECT, ARRAY, STRING, NUMBER, BOOLEAN, NULL }

    private StrategicMergePatch() {
    }

    /** Applies the patch to a copy of {@code live}, reading patch strategies from the Fabric8 model class. */
    public static ObjectNode apply(ObjectNode live, byte[] body, Class<?> modelClass) {
        JsonNode patch = Json.parse(body);
        if (!patch.isObject()) {
            throw ApiException.badRequest("json: cannot unmarshal " + (patch.isArray() ? "array" : "value")
                    + " into Go value of type map[string]interface {}");
        }
        return apply(live, (ObjectNode) patch, Schema.of(modelClass));
    }

    static ObjectNode apply(ObjectNode live, ObjectNode patch, Schema schema) {
        return mergeMap(live.deepCopy(), patch, schema);
    }

    /** Merges {@code patch} into {@code original} (a private copy, modified in place) and returns the result. */
    private static ObjectNode mergeMap(ObjectNode original, ObjectNode patch, Schema schema) {
        JsonNode directive = patch.get(DIRECTIVE);
        if (directive != null) {
            String d = directive.isString() ? directive.stringValue() : Json.goValue(directive);
            switch (d) {
                case "replace" -> {
                    ObjectNode replacement = patch.deepCopy();
                    replacement.remove(DIRECTIVE);
                    return mergeMap(Json.object(), replacement, schema);
                }
                case "delete" -> {
                    return Json.object();
                }
                case "merge" -> {
                    patch = patch.deepCopy();
                    patch.remove(DIRECTIVE);
                }
                default -> throw badRequest("unknown patch type: " + d + " in map: " + Json.goValue(patch));
            }
        }
        ObjectNode result = original == null ? Json.object() : original;
        applyRetainKeys(result, patch);
        Set<String> handled = mergeOrderedLists(result, patch, schema);

        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            String key = e.getKey();
            if (handled.contains(key) || key.equals(RETAIN_KEYS) || key.equals(DIRECTIVE) || key.startsWith(SET_ELEMENT_ORDER)) {
                continue;
            }
            boolean deleteList = false;
            if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
                key = key.substring(DELETE_FROM_PRIMITIVE_LIST.length());
                deleteList = true;
            }
            JsonNode patchValue = e.getValue();
            if (patchValue.isNull()) {
                result.remove(key);
                continue;
            }
            FieldDef field = schema.field(key);
            Schema child = schema.child(key);
            JsonNode originalValue = result.get(key);
            if (originalValue == null || originalValue.isNull() || kind(originalValue) != kind(patchValue)) {
                if (!deleteList) {
                    result.set(key, fresh(patchValue, child, field));
                }
                continue;
            }
            if (patchValue.isObject()) {
                if (field != null && field.strategy("replace")) {
                    result.set(key, fresh(patchValue, child, field));
                } else {
                    result.set(key, mergeMap((ObjectNode) originalValue, (ObjectNode) patchValue, child));
                }
            } else if (patchValue.isArray()) {
                result.set(key, mergeList((ArrayNode) originalValue, (ArrayNode) patchValue, child, field, deleteList));
            } else {
                result.set(key, patchValue.deepCopy());
            }
        }
        return result;
    }

    /** What a patch value becomes where the original has nothing: directives processed, nulls dropped. */
    private static JsonNode fresh(JsonNode patchValue, Schema schema, FieldDef field) {
        if (patchValue instanceof ObjectNode o) {
            return mergeMap(Json.object(), o, schema);
        }
        if (patchValue instanceof ArrayNode a) {
            return mergeList(Json.array(), a, schema, field, false);
        }
        return patchValue.deepCopy();
    }

    private static ArrayNode mergeList(ArrayNode original, ArrayNode patch, Schema listSchema, FieldDef field, boolean deleteList) {
        boolean merge = field != null && field.strategy("merge");
        if (!merge && !deleteList) {
            return (ArrayNode) Json.withoutNulls(patch);
        }
        return toArray(mergeSlice(items(original), items(patch), listSchema.elem(), field == null ? null : field.mergeKey(), deleteList));
    }

    private static List<JsonNode> mergeSlice(List<JsonNode> original, List<JsonNode> patch, Schema elemSchema,
                                             String mergeKey, boolean deleteList) {
        if (original.isEmpty() && patch.isEmpty()) {
            return original;
        }
        ElementKind kind = elementKind(original, patch);
        if (kind != ElementKind.OBJECT) {
            if (deleteList) {
                List<JsonNode> kept = new ArrayList<>();
                for (JsonNode item : original) {
                    if (patch.stream().noneMatch(p -> Json.equal(p, item))) {
                        kept.add(item);
                    }
                }
                return kept;
            }
            List<JsonNode> merged = new ArrayList<>();
            for (JsonNode item : concat(original, patch)) {
                if (merged.stream().noneMatch(m -> Json.equal(m, item))) {
                    merged.add(item.deepCopy());
                }
            }
            List<JsonNode> patchItems = new ArrayList<>();
            List<JsonNode> serverOnly = new ArrayList<>();
            for (JsonNode item : merged) {
                (indexOf(patch, item, null) >= 0 ? patchItems : serverOnly).add(item);
            }
            return normalizeElementOrder(patchItems, serverOnly, patch, original, null);
        }
        if (mergeKey == null) {
            throw badRequest("cannot merge lists without merge key for " + elemSchema);
        }
        // $patch elements: delete matching items, or replace the whole list
        List<JsonNode> plainPatch = new ArrayList<>();
        List<JsonNode> remaining = new ArrayList<>(original);
        boolean replace = false;
        for (JsonNode item : patch) {
            JsonNode directive = item.get(DIRECTIVE);
            if (directive == null) {
                plainPatch.add(item);
                continue;
            }
            String d = directive.isString() ? directive.stringValue() : Json.goValue(directive);
            switch (d) {
                case "delete" -> {
                    JsonNode keyValue = item.get(mergeKey);
                    if (keyValue == null) {
                        throw noMergeKey(item, mergeKey);
                    }
                    remaining.removeIf(o -> Json.equal(o.get(mergeKey), keyValue));
                }
                case "replace" -> replace = true;
                case "merge" -> {
                    ObjectNode plain = ((ObjectNode) item).deepCopy();
                    plain.remove(DIRECTIVE);
                    if (plain.has(mergeKey)) {
                        plainPatch.add(plain);
                    }
                }
                default -> throw badRequest("unknown patch type: " + d + " in map: " + Json.goValue(item));
            }
        }
        if (replace) {
            List<JsonNode> replacement = new ArrayList<>();
            for (JsonNode item : plainPatch) {
                replacement.add(mergeMap(Json.object(), (ObjectNode) item, elemSchema));
            }
            return replacement;
        }
        List<JsonNode> merged = new ArrayList<>(remaining);
        for (JsonNode item : plainPatch) {
            JsonNode keyValue = item.get(mergeKey);
            if (keyValue == null) {
                throw noMergeKey(item, mergeKey);
            }
            int at = indexOf(merged, item, mergeKey);
            if (at >= 0) {
                merged.set(at, mergeMap((ObjectNode) merged.get(at), (ObjectNode) item, elemSchema));
            } else {
                merged.add(mergeMap(Json.object(), (ObjectNode) item, elemSchema));
            }
        }
        List<JsonNode> patchItems = new ArrayList<>();
        List<JsonNode> serverOnly = new ArrayList<>();
        for (JsonNode item : merged) {
            requireMergeKey(item, mergeKey);
            (indexOf(plainPatch, item, mergeKey) >= 0 ? patchItems : serverOnly).add(item);
        }
        return normalizeElementOrder(patchItems, serverOnly, plainPatch, remaining, mergeKey);
    }

    /**
     * Handles every {@code $setElementOrder/<list>} of a patch map: merges that list and orders it by the directive.
     * Returns the patch keys it consumed.
     */
    private static Set<String> mergeOrderedLists(ObjectNode result, ObjectNode patch, Schema schema) {
        Set<String> handled = new HashSet<>();
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            if (!e.getKey().startsWith(SET_ELEMENT_ORDER)) {
                continue;
            }
            handled.add(e.getKey());
            if (!e.getValue().isArray()) {
                throw badRequest("invalid patch format of setElementOrder list");
            }
            List<JsonNode> order = items((ArrayNode) e.getValue());
            String key = e.getKey().substring(SET_ELEMENT_ORDER.length());
            FieldDef field = schema.field(key);
            Schema listSchema = schema.child(key);
            String mergeKey = field == null ? null : field.mergeKey();
            JsonNode originalValue = result.get(key);
            JsonNode patchValue = patch.get(key);
            if (originalValue != null && !originalValue.isArray() && !originalValue.isNull()
                    || patchValue != null && !patchValue.isArray() && !patchValue.isNull()) {
                throw badRequest("invalid patch format of setElementOrder list");
            }
            List<JsonNode> originalItems = originalValue instanceof ArrayNode a ? items(a) : List.of();
            List<JsonNode> patchItems = patchValue instanceof ArrayNode a ? items(a) : List.of();
            validateOrder(patchItems, order, mergeKey);
            List<JsonNode> merged;
            if (originalValue instanceof ArrayNode o && patchValue instanceof ArrayNode p) {
                merged = items(mergeList(o, p, listSchema, field, false));
            } else if (patchValue instanceof ArrayNode p) {
                merged = items(mergeList(Json.array(), p, listSchema, field, false));
            } else if (originalValue instanceof ArrayNode) {
                merged = originalItems;
            } else {
                continue;
            }
            handled.add(key);
            if (merged.isEmpty()) {
                result.set(key, Json.array());
                continue;
            }
            List<JsonNode> inOrder = new ArrayList<>();
            List<JsonNode> serverOnly = new ArrayList<>();
            for (JsonNode item : merged) {
                if (mergeKey != null) {
                    requireMergeKey(item, mergeKey);
                }
                (indexOf(order, item, mergeKey) >= 0 ? inOrder : serverOnly).add(item);
            }
            result.set(key, toArray(normalizeElementOrder(inOrder, serverOnly, order, originalItems, mergeKey)));
        }
        return handled;
    }

    /** Every non-directive item of the patch list must appear in the {@code $setElementOrder} list, in the same relative order. */
    private static void validateOrder(List<JsonNode> patchList, List<JsonNode> order, String mergeKey) {
        if (patchList.isEmpty() || order.isEmpty()) {
            return;
        }
        List<JsonNode> nonDelete = new ArrayList<>();
        for (JsonNode item : patchList) {
            JsonNode d = item.get(DIRECTIVE);
            if (mergeKey == null || d == null || !"delete".equals(d.asString())) {
                nonDelete.add(item);
            }
        }
        int p = 0;
        int s = 0;
        while (p < nonDelete.size() && s < order.size()) {
            JsonNode item = nonDelete.get(p);
            if (item.isObject() && item.has(DIRECTIVE)) {
                p++;
                continue;
            }
            if (mergeKey == null ? Json.equal(item, order.get(s)) : Json.equal(requireMergeKey(item, mergeKey), order.get(s).get(mergeKey))) {
                p++;
            }
            s++;
        }
        if (p < nonDelete.size()) {
            throw badRequest("The order in patch list:\n" + Json.goValue(toArray(patchList))
                    + "\n doesn't match $setElementOrder list:\n" + Json.goValue(toArray(order)) + "\n");
        }
    }

    private static void applyRetainKeys(ObjectNode result, ObjectNode patch) {
        JsonNode retain = patch.get(RETAIN_KEYS);
        if (retain == null) {
            return;
        }
        if (!retain.isArray()) {
            throw badRequest("invalid patch format of retainKeys");
        }
        Set<String> keep = new HashSet<>();
        for (JsonNode k : retain) {
            if (k.isString()) {
                keep.add(k.stringValue());
            }
        }
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            String k = e.getKey();
            if (e.getValue().isNull() || k.equals(RETAIN_KEYS) || k.equals(DIRECTIVE)
                    || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) {
                continue;
            }
            if (!keep.contains(k)) {
                throw badRequest("invalid patch format of retainKeys");
            }
        }
        result.retain(keep);
    }

    /**
     * Orders the merged list: the patch's items by {@code patchOrder}, the server-only items by {@code serverOrder},
     * then interleaves them keeping both relative orders (apimachinery's {@code normalizeElementOrder}).
     */
    private static List<JsonNode> normalizeElementOrder(List<JsonNode> patchItems, List<JsonNode> serverOnly,
                                                        List<JsonNode> patchOrder, List<JsonNode> serverOrder, String mergeKey) {
        List<JsonNode> right = sortBy(patchItems, patchOrder, mergeKey);
        List<JsonNode> left = sortBy(serverOnly, serverOrder, mergeKey);
        List<JsonNode> all = new ArrayList<>(left.size() + right.size());
        int i = 0;
        int j = 0;
        while (i < left.size() || j < right.size()) {
            if (i >= left.size()) {
                all.add(right.get(j++));
            } else if (j >= right.size()) {
                all.add(left.get(i++));
            } else {
                int li = indexOf(serverOrder, left.get(i), mergeKey);
                int ri = indexOf(serverOrder, right.get(j), mergeKey);
                if (li >= 0 && ri >= 0 && li < ri) {
                    all.add(left.get(i++));
                } else {
                    all.add(right.get(j++));
                }
            }
        }
        return all;
    }

    private static List<JsonNode> sortBy(List<JsonNode> items, List<JsonNode> order, String mergeKey) {
        List<JsonNode> toDelete = new ArrayList<>();
        if (mergeKey != null) {
            for (JsonNode o : order) {
                JsonNode d = o.get(DIRECTIVE);
                if (d != null && "delete".equals(d.asString())) {
                    toDelete.add(o);
                }
            }
        }
        List<JsonNode> sorted = new ArrayList<>(items);
        sorted.removeIf(item -> indexOf(toDelete, item, mergeKey) >= 0);
        sorted.sort(Comparator.comparingInt(item -> {
            int at = indexOf(order, item, mergeKey);
            return at < 0 ? Integer.MAX_VALUE : at;
        }));
        return sorted;
    }

    private static int indexOf(List<JsonNode> list, JsonNode item, String mergeKey) {
        for (int i = 0; i < list.size(); i++) {
            JsonNode candidate = list.get(i);
            boolean same = mergeKey == null
                    ? Json.equal(candidate, item)
                    : candidate.isObject() && candidate.get(mergeKey) != null && Json.equal(candidate.get(mergeKey), item.get(mergeKey));
            if (same) {
                return i;
            }
        }
        return -1;
    }

    private static ElementKind elementKind(List<JsonNode> original, List<JsonNode> patch) {
        ElementKind kind = null;
        for (JsonNode item : concat(original, patch)) {
            ElementKind k = kind(item);
            if (kind == null) {
                if (k == ElementKind.ARRAY) {
                    throw JsonPatch.notApplicable("lists of lists are not supported");
                }
                kind = k;
            } else if (kind != k) {
                throw badRequest("list element types are not identical: " + Json.goValue(toArray(original))
                        + " " + Json.goValue(toArray(patch)));
            }
        }
        return kind;
    }

    private static ElementKind kind(JsonNode node) {
        if (node.isObject()) {
            return ElementKind.OBJECT;
        }
        if (node.isArray()) {
            return ElementKind.ARRAY;
        }
        if (node.isString()) {
            return ElementKind.STRING;
        }
        if (node.isNumber()) {
            return ElementKind.NUMBER;
        }
        if (node.isBoolean()) {
            return ElementKind.BOOLEAN;
        }
        return ElementKind.NULL;
    }

    private static JsonNode requireMergeKey(JsonNode item, String mergeKey) {
        JsonNode value = item.isObject() ? item.get(mergeKey) : null;
        if (value == null) {
            throw noMergeKey(item, mergeKey);
        }
        return value;
    }

    private static ApiException noMergeKey(JsonNode item, String mergeKey) {
        return badRequest("map: " + Json.goValue(item) + " does not contain declared merge key: " + mergeKey);
    }

    private static ApiException badRequest(String message) {
        return ApiException.badRequest(message);
    }

    private static List<JsonNode> items(ArrayNode array) {
        List<JsonNode> items = new ArrayList<>(array.size());
        for (JsonNode item : array) {
            items.add(item);
        }
        return items;
    }

    private static List<JsonNode> concat(List<JsonNode> a, List<JsonNode> b) {
        List<JsonNode> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static ArrayNode toArray(List<JsonNode> items) {
        ArrayNode array = Json.array();
        items.forEach(array::add);
        return array;
    }
}
