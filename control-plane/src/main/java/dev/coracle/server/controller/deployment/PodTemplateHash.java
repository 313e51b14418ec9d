package dev.coracle.server.controller.deployment;

import dev.coracle.server.registry.Semantic;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The {@code pod-template-hash} of a Deployment's ReplicaSets, as {@code controller.ComputeHash}: FNV-32a of
 * the pod template (here its canonical JSON: keys sorted, nulls and empty lists and maps dropped, so a
 * field left out and one sent empty hash alike), then the collision count as eight little-endian bytes,
 * the 32-bit sum in decimal, each digit mapped by {@code rand.SafeEncodeString}.
 */
public final class PodTemplateHash {

    public static final String LABEL = "pod-template-hash";
    /** {@code rand.alphanums}: no vowels, no look-alikes. */
    private static final String ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";
    private static final int FNV_OFFSET = 0x811c9dc5;
    private static final int FNV_PRIME = 0x01000193;

    private PodTemplateHash() {
    }

    public static String compute(PodTemplateSpec template, Integer collisionCount) {
        int hash = FNV_OFFSET;
        for (byte b : canonical(template).getBytes(StandardCharsets.UTF_8)) {
            hash = fnv(hash, b);
        }
        if (collisionCount != null) {
            int c = collisionCount;
            byte[] bytes = {(byte) c, (byte) (c >>> 8), (byte) (c >>> 16), (byte) (c >>> 24), 0, 0, 0, 0};
            for (byte b : bytes) {
                hash = fnv(hash, b);
            }
        }
        return safeEncode(Long.toString(Integer.toUnsignedLong(hash)));
    }

    private static int fnv(int hash, byte b) {
        return (hash ^ (b & 0xff)) * FNV_PRIME;
    }

    /** {@code rand.SafeEncodeString}. */
    static String safeEncode(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            out.append(ALPHANUMS.charAt(s.charAt(i) % ALPHANUMS.length()));
        }
        return out.toString();
    }

    /** {@code EqualIgnoreHash}: the templates are semantically equal once their {@code pod-template-hash} labels are set aside. */
    public static boolean equalIgnoreHash(PodTemplateSpec a, PodTemplateSpec b) {
        return canonical(a).equals(canonical(b));
    }

    /** The template as canonical JSON, without the {@code pod-template-hash} label. */
    static String canonical(PodTemplateSpec template) {
        JsonNode tree = template == null ? JsonNodeFactory.instance.objectNode() : Semantic.tree(template);
        if (tree instanceof ObjectNode root && root.get("metadata") instanceof ObjectNode meta && meta.get("labels") instanceof ObjectNode labels) {
            labels.remove(LABEL);
        }
        StringBuilder out = new StringBuilder();
        JsonNode clean = prune(tree);
        write(clean == null ? JsonNodeFactory.instance.objectNode() : clean, out);
        return out.toString();
    }

    /** Drops nulls, empty lists and empty maps, recursively; null when nothing is left. */
    private static JsonNode prune(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node instanceof ObjectNode obj) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (var e : obj.properties()) {
                JsonNode v = prune(e.getValue());
                if (v != null) {
                    out.set(e.getKey(), v);
                }
            }
            return out.isEmpty() ? null : out;
        }
        if (node instanceof ArrayNode arr) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            for (JsonNode item : arr) {
                JsonNode v = prune(item);
                out.add(v == null ? JsonNodeFactory.instance.objectNode() : v);
            }
            return out.isEmpty() ? null : out;
        }
        return node;
    }

    private static void write(JsonNode node, StringBuilder out) {
        if (node instanceof ObjectNode obj) {
            List<String> keys = new ArrayList<>(obj.propertyNames());
            Collections.sort(keys);
            out.append('{');
            for (int i = 0; i < keys.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(JsonNodeFactory.instance.stringNode(keys.get(i)).toString()).append(':');
                write(obj.get(keys.get(i)), out);
            }
            out.append('}');
        } else if (node instanceof ArrayNode arr) {
            out.append('[');
            for (int i = 0; i < arr.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(arr.get(i), out);
            }
            out.append(']');
        } else {
            out.append(node.toString());
        }
    }
}
