package dev.coracle.server.api;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A create or update body as the client sent it: the decoded tree, and what only the bytes still show —
 * the keys an object repeats. Go's decoders keep the last value of a repeated key, as the tree does;
 * kube-apiserver's strict decoding (sigs.k8s.io/json for JSON, sigs.k8s.io/yaml for YAML) reports each
 * repetition, an error under {@code fieldValidation=Strict}, a warning under {@code Warn}.
 *
 * @param tree  the body decoded; null for a patch, which is not an object to decode but changes to apply
 * @param bytes the body, for finding where fields appear; null for an object built in this process
 */
public record RequestBody(ObjectNode tree, byte[] bytes, boolean yaml) {

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    /** An object built by the control plane itself: nothing repeated, nothing to look for. */
    public static RequestBody of(ObjectNode tree) {
        return new RequestBody(tree, null, false);
    }

    /** A key repeated in one object: its path ({@code spec.template.spec.containers[0].imagePullPolicy}) and line. */
    public record Repeated(String path, String key, int line, long ordinal) {
    }

    /** The repeated keys, in the order they appear; {@code fieldsV1} is opaque to Kubernetes' decoder and skipped. */
    public List<Repeated> repeated() {
        if (bytes == null) {
            return List.of();
        }
        List<Repeated> found = new ArrayList<>();
        scan(Set.of(), null, found);
        return found;
    }

    /** For each of {@code paths}, the ordinal of its first appearance (absent if it never appears as written). */
    public Map<String, Long> firstAppearances(Set<String> paths) {
        Map<String, Long> out = new HashMap<>();
        if (bytes != null && !paths.isEmpty()) {
            scan(paths, out, null);
        }
        return out;
    }

    private void scan(Set<String> wanted, Map<String, Long> appearances, List<Repeated> repeated) {
        // a frame per open object or array: its path, the keys seen (objects) or the next index (arrays)
        record Frame(String path, Set<String> keys, int[] index) {
        }
        try (JsonParser parser = yaml ? YAML.createParser(bytes) : Json.MAPPER.createParser(bytes)) {
            Deque<Frame> stack = new ArrayDeque<>();
            String pending = null;
            long ordinal = 0;
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                Frame top = stack.peek();
                if (token == JsonToken.PROPERTY_NAME) {
                    String key = parser.currentName();
                    String path = top.path().isEmpty() ? key : top.path() + "." + key;
                    ordinal++;
                    if (!top.keys().add(key)) {
                        if (repeated != null) {
                            repeated.add(new Repeated(path, key, parser.currentTokenLocation().getLineNr(), ordinal));
                        }
                    } else if (appearances != null && wanted.contains(path)) {
                        appearances.putIfAbsent(path, ordinal);
                    }
                    if (key.equals("fieldsV1")) {
                        parser.nextToken();
                        parser.skipChildren();
                        continue;
                    }
                    pending = path;
                    continue;
                }
                if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    stack.pop();
                    continue;
                }
                String path;
                if (top == null) {
                    path = "";
                } else if (top.index() != null) {
                    path = top.path() + "[" + top.index()[0]++ + "]";
                } else {
                    path = pending;
                }
                if (token == JsonToken.START_OBJECT) {
                    stack.push(new Frame(path, new HashSet<>(), null));
                } else if (token == JsonToken.START_ARRAY) {
                    stack.push(new Frame(path, null, new int[1]));
                }
            }
        } catch (JacksonException e) {
            // a patch is read here before it is applied: one that does not parse is refused by what applies it
        }
    }
}
