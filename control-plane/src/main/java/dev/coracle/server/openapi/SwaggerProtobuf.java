package dev.coracle.server.openapi;

import com.google.protobuf.CodedOutputStream;
import tools.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The v2 document in gnostic's protobuf ({@code openapi.v2.Document} of google/gnostic's OpenAPIv2.proto), the form
 * client-go's {@code OpenAPISchema()} asks for ({@code Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf})
 * and {@code kubectl explain --output=plaintext-openapiv2} reads. Field numbers are those of that file. Values gnostic
 * keeps as {@code Any} (vendor extensions, defaults, enums) carry their YAML text; JSON is written there, which is YAML.
 */
final class SwaggerProtobuf {

    private SwaggerProtobuf() {
    }

    static byte[] encode(JsonNode swagger) {
        Message document = new Message();
        document.string(1, swagger.path("swagger").asString(""));
        Message info = new Message();
        info.string(1, swagger.at("/info/title").asString(""));
        info.string(2, swagger.at("/info/version").asString(""));
        info.string(3, swagger.at("/info/description").asString(""));
        document.message(2, info);
        document.strings(5, swagger.path("schemes"));
        document.strings(6, swagger.path("consumes"));
        document.strings(7, swagger.path("produces"));
        Message paths = new Message();
        for (Map.Entry<String, JsonNode> path : swagger.path("paths").properties()) {
            paths.message(2, named(path.getKey(), pathItem(path.getValue())));
        }
        document.message(8, paths);
        Message definitions = new Message();
        for (Map.Entry<String, JsonNode> schema : swagger.path("definitions").properties()) {
            definitions.message(1, named(schema.getKey(), schema(schema.getValue())));
        }
        document.message(9, definitions);
        for (JsonNode requirement : swagger.path("security")) {
            Message r = new Message();
            for (Map.Entry<String, JsonNode> scheme : requirement.properties()) {
                Message scopes = new Message();
                scopes.strings(1, scheme.getValue());
                r.message(1, named(scheme.getKey(), scopes));
            }
            document.message(12, r);
        }
        Message securityDefinitions = new Message();
        for (Map.Entry<String, JsonNode> scheme : swagger.path("securityDefinitions").properties()) {
            JsonNode s = scheme.getValue();
            Message apiKey = new Message();
            apiKey.string(1, s.path("type").asString(""));
            apiKey.string(2, s.path("name").asString(""));
            apiKey.string(3, s.path("in").asString(""));
            apiKey.string(4, s.path("description").asString(""));
            securityDefinitions.message(1, named(scheme.getKey(), new Message().message(2, apiKey)));
        }
        document.message(13, securityDefinitions);
        vendorExtensions(document, 16, swagger);
        return document.bytes();
    }

    private static Message pathItem(JsonNode item) {
        Message out = new Message();
        String[] methods = {"get", "put", "post", "delete", "options", "head", "patch"};
        for (int i = 0; i < methods.length; i++) {
            if (item.has(methods[i])) {
                out.message(2 + i, operation(item.get(methods[i])));
            }
        }
        for (JsonNode parameter : item.path("parameters")) {
            out.message(9, parameter(parameter));
        }
        vendorExtensions(out, 10, item);
        return out;
    }

    private static Message operation(JsonNode operation) {
        Message out = new Message();
        out.strings(1, operation.path("tags"));
        out.string(2, operation.path("summary").asString(""));
        out.string(3, operation.path("description").asString(""));
        out.string(5, operation.path("operationId").asString(""));
        out.strings(6, operation.path("produces"));
        out.strings(7, operation.path("consumes"));
        for (JsonNode parameter : operation.path("parameters")) {
            out.message(8, parameter(parameter));
        }
        Message responses = new Message();
        for (Map.Entry<String, JsonNode> response : operation.path("responses").properties()) {
            Message r = new Message();
            r.string(1, response.getValue().path("description").asString(""));
            if (response.getValue().has("schema")) {
                r.message(2, new Message().message(1, schema(response.getValue().get("schema"))));
            }
            responses.message(1, named(response.getKey(), new Message().message(1, r)));
        }
        out.message(9, responses);
        out.strings(10, operation.path("schemes"));
        out.bool(11, operation.path("deprecated").asBoolean(false));
        vendorExtensions(out, 13, operation);
        return out;
    }

    /** A ParametersItem: a body parameter, or a query, path or header one (NonBodyParameter's sub-schemas). */
    private static Message parameter(JsonNode p) {
        String in = p.path("in").asString("");
        Message parameter = new Message();
        if (in.equals("body")) {
            Message body = new Message();
            body.string(1, p.path("description").asString(""));
            body.string(2, p.path("name").asString(""));
            body.string(3, in);
            body.bool(4, p.path("required").asBoolean(false));
            if (p.has("schema")) {
                body.message(5, schema(p.get("schema")));
            }
            parameter.message(1, body);
        } else {
            // the three share their first fields; they differ in where type, format and uniqueItems go
            boolean query = in.equals("query");
            Message sub = new Message();
            sub.bool(1, p.path("required").asBoolean(false));
            sub.string(2, in);
            sub.string(3, p.path("description").asString(""));
            sub.string(4, p.path("name").asString(""));
            sub.string(query ? 6 : 5, p.path("type").asString(""));
            sub.string(query ? 7 : 6, p.path("format").asString(""));
            sub.bool(query ? 20 : 19, p.path("uniqueItems").asBoolean(false));
            int which = switch (in) {
                case "header" -> 1;
                case "query" -> 3;
                default -> 4;
            };
            parameter.message(2, new Message().message(which, sub));
        }
        return new Message().message(1, parameter);
    }

    private static Message schema(JsonNode schema) {
        Message out = new Message();
        out.string(1, schema.path("$ref").asString(""));
        out.string(2, schema.path("format").asString(""));
        out.string(3, schema.path("title").asString(""));
        out.string(4, schema.path("description").asString(""));
        if (schema.has("default")) {
            out.message(5, any(schema.get("default")));
        }
        out.string(13, schema.path("pattern").asString(""));
        out.bool(16, schema.path("uniqueItems").asBoolean(false));
        out.strings(19, schema.path("required"));
        for (JsonNode value : schema.path("enum")) {
            out.message(20, any(value));
        }
        JsonNode additional = schema.get("additionalProperties");
        if (additional != null && additional.isObject()) {
            out.message(21, new Message().message(1, schema(additional)));
        } else if (additional != null && additional.isBoolean()) {
            out.message(21, new Message().boolAlways(2, additional.asBoolean()));
        }
        JsonNode type = schema.get("type");
        if (type != null) {
            Message t = new Message();
            if (type.isArray()) {
                t.strings(1, type);
            } else {
                t.string(1, type.asString(""));
            }
            out.message(22, t);
        }
        JsonNode items = schema.get("items");
        if (items != null) {
            Message i = new Message();
            if (items.isArray()) {
                items.forEach(s -> i.message(1, schema(s)));
            } else {
                i.message(1, schema(items));
            }
            out.message(23, i);
        }
        for (JsonNode s : schema.path("allOf")) {
            out.message(24, schema(s));
        }
        if (schema.has("properties")) {
            Message properties = new Message();
            for (Map.Entry<String, JsonNode> p : schema.get("properties").properties()) {
                properties.message(1, named(p.getKey(), schema(p.getValue())));
            }
            out.message(25, properties);
        }
        out.bool(27, schema.path("readOnly").asBoolean(false));
        vendorExtensions(out, 31, schema);
        return out;
    }

    private static void vendorExtensions(Message out, int field, JsonNode node) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (e.getKey().startsWith("x-")) {
                out.message(field, named(e.getKey(), any(e.getValue())));
            }
        }
    }

    /** gnostic's Any: the value as YAML text (field 2). */
    private static Message any(JsonNode value) {
        return new Message().string(2, value.toString() + "\n");
    }

    /** The Named* messages all are {name = 1, value = 2}. */
    private static Message named(String name, Message value) {
        return new Message().stringAlways(1, name).message(2, value);
    }

    /** A message being written: proto3, so empty strings and false are left out. */
    private static final class Message {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final CodedOutputStream out = CodedOutputStream.newInstance(buffer);

        Message string(int field, String value) {
            return value.isEmpty() ? this : stringAlways(field, value);
        }

        Message stringAlways(int field, String value) {
            try {
                out.writeString(field, value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Message strings(int field, JsonNode values) {
            for (JsonNode v : values) {
                stringAlways(field, v.asString(""));
            }
            return this;
        }

        Message bool(int field, boolean value) {
            return value ? boolAlways(field, true) : this;
        }

        Message boolAlways(int field, boolean value) {
            try {
                out.writeBool(field, value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Message message(int field, Message value) {
            try {
                out.writeByteArray(field, value.bytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        byte[] bytes() {
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return buffer.toByteArray();
        }
    }
}
