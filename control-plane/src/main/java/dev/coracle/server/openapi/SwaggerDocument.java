package dev.coracle.server.openapi;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The single OpenAPI v2 (Swagger 2.0) document kube-apiserver serves at {@code /openapi/v2}, made from the
 * same paths and schemas as the v3 group-version documents, so both say the same: schemas become
 * {@code definitions} ({@code #/definitions/io.k8s.api.core.v1.Pod}), a request body the {@code body}
 * parameter, response content a response {@code schema} with the operation's {@code produces}; v3-only
 * keywords ({@code nullable}, {@code allOf} around a single {@code $ref}) are dropped as kube-openapi does.
 */
final class SwaggerDocument {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String V3_REF = "#/components/schemas/";
    private static final String V2_REF = "#/definitions/";
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    private SwaggerDocument() {
    }

    static ObjectNode from(Collection<? extends JsonNode> groupVersionDocuments) {
        SortedMap<String, JsonNode> paths = new TreeMap<>();
        SortedMap<String, JsonNode> definitions = new TreeMap<>();
        for (JsonNode document : groupVersionDocuments) {
            for (Map.Entry<String, JsonNode> path : document.path("paths").properties()) {
                paths.put(path.getKey(), pathItem(path.getValue()));
            }
            for (Map.Entry<String, JsonNode> schema : document.path("components").path("schemas").properties()) {
                definitions.putIfAbsent(schema.getKey(), schema(schema.getValue()));
            }
        }
        ObjectNode swagger = NODES.objectNode();
        swagger.put("swagger", "2.0");
        swagger.putObject("info").put("title", "Kubernetes").put("version", "unversioned");
        ObjectNode pathsNode = swagger.putObject("paths");
        paths.forEach(pathsNode::set);
        ObjectNode definitionsNode = swagger.putObject("definitions");
        definitions.forEach(definitionsNode::set);
        ObjectNode bearer = swagger.putObject("securityDefinitions").putObject("BearerToken");
        bearer.put("description", "Bearer Token authentication").put("type", "apiKey").put("name", "authorization").put("in", "header");
        swagger.putArray("security").addObject().putArray("BearerToken");
        return swagger;
    }

    private static ObjectNode pathItem(JsonNode item) {
        ObjectNode out = NODES.objectNode();
        for (Map.Entry<String, JsonNode> e : item.properties()) {
            if (METHODS.contains(e.getKey())) {
                out.set(e.getKey(), operation(e.getValue()));
            } else if (e.getKey().equals("parameters")) {
                out.set("parameters", parameters(e.getValue()));
            } else {
                out.set(e.getKey(), e.getValue().deepCopy());
            }
        }
        return out;
    }

    private static ObjectNode operation(JsonNode operation) {
        ObjectNode out = NODES.objectNode();
        Set<String> consumes = new LinkedHashSet<>();
        Set<String> produces = new LinkedHashSet<>();
        ArrayNode parameters = parameters(operation.path("parameters"));
        JsonNode body = operation.get("requestBody");
        if (body != null) {
            ObjectNode parameter = NODES.objectNode();
            parameter.put("name", "body").put("in", "body").put("required", body.path("required").asBoolean(true));
            for (Map.Entry<String, JsonNode> content : body.path("content").properties()) {
                consumes.add(content.getKey());
                if (!parameter.has("schema")) {
                    parameter.set("schema", schema(content.getValue().path("schema")));
                }
            }
            parameters.insert(0, parameter);
        }
        ObjectNode responses = NODES.objectNode();
        for (Map.Entry<String, JsonNode> response : operation.path("responses").properties()) {
            ObjectNode r = responses.putObject(response.getKey());
            r.put("description", response.getValue().path("description").asString(""));
            for (Map.Entry<String, JsonNode> content : response.getValue().path("content").properties()) {
                produces.add(content.getKey());
                if (!r.has("schema")) {
                    r.set("schema", schema(content.getValue().path("schema")));
                }
            }
        }
        for (Map.Entry<String, JsonNode> e : operation.properties()) {
            switch (e.getKey()) {
                case "parameters", "requestBody", "responses" -> {
                }
                default -> out.set(e.getKey(), e.getValue().deepCopy());
            }
        }
        if (!consumes.isEmpty()) {
            consumes.forEach(out.putArray("consumes")::add);
        }
        if (!produces.isEmpty()) {
            produces.forEach(out.putArray("produces")::add);
        }
        out.putArray("schemes").add("https");
        if (!parameters.isEmpty()) {
            out.set("parameters", parameters);
        }
        out.set("responses", responses);
        return out;
    }

    /** v3 parameters carry their type in {@code schema}; v2 ones inline it. */
    private static ArrayNode parameters(JsonNode parameters) {
        ArrayNode out = NODES.arrayNode();
        for (JsonNode parameter : parameters) {
            ObjectNode p = NODES.objectNode();
            for (Map.Entry<String, JsonNode> e : parameter.properties()) {
                if (e.getKey().equals("schema")) {
                    e.getValue().properties().forEach(s -> p.set(s.getKey(), s.getValue().deepCopy()));
                } else {
                    p.set(e.getKey(), e.getValue().deepCopy());
                }
            }
            out.add(p);
        }
        return out;
    }

    /** A v3 schema as v2 writes it; walks only schema positions, so a property named "nullable" stays. */
    static JsonNode schema(JsonNode schema) {
        if (!schema.isObject()) {
            return schema.deepCopy();
        }
        ObjectNode out = NODES.objectNode();
        JsonNode allOf = schema.get("allOf");
        boolean singleRef = allOf != null && allOf.size() == 1 && allOf.get(0).has("$ref");
        for (Map.Entry<String, JsonNode> e : schema.properties()) {
            JsonNode value = e.getValue();
            switch (e.getKey()) {
                case "nullable" -> {
                }
                case "$ref" -> out.put("$ref", ref(value.asString()));
                case "allOf", "anyOf", "oneOf" -> {
                    if (singleRef && e.getKey().equals("allOf")) {
                        out.put("$ref", ref(value.get(0).get("$ref").asString()));
                    } else {
                        ArrayNode converted = out.putArray(e.getKey());
                        value.forEach(s -> converted.add(schema(s)));
                    }
                }
                case "default" -> {
                    if (!singleRef) {
                        out.set("default", value.deepCopy());
                    }
                }
                case "properties", "patternProperties" -> {
                    ObjectNode converted = out.putObject(e.getKey());
                    value.properties().forEach(p -> converted.set(p.getKey(), schema(p.getValue())));
                }
                case "items", "additionalProperties", "not" -> out.set(e.getKey(), schema(value));
                default -> out.set(e.getKey(), value.deepCopy());
            }
        }
        return out;
    }

    private static String ref(String v3) {
        return v3.startsWith(V3_REF) ? V2_REF + v3.substring(V3_REF.length()) : v3;
    }
}
