package dev.coracle.server.api.protobuf;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import dev.coracle.server.api.ApiException;
import io.kubernetes.client.proto.Runtime;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.Arrays;

/**
 * Reads a request body in Kubernetes' protobuf encoding ({@value #MEDIA_TYPE}), which kubectl and
 * client-go send for built-in kinds: the magic {@code k8s\0}, then a {@code runtime.Unknown} whose
 * {@code typeMeta} names the kind and whose {@code raw} is the object's own protobuf message.
 *
 * <p>The result is the object as the JSON tree kube-apiserver would have accepted for it, with
 * {@code apiVersion} and {@code kind} from the {@code typeMeta}, so it can take the same path as a JSON body.
 */
public final class ProtobufDecoder {

    public static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";

    private static final byte[] MAGIC = {0x6b, 0x38, 0x73, 0x00};
    private static final int MAX_DEPTH = 100;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ProtobufDecoder() {
    }

    /**
     * Decodes one protobuf-encoded object.
     *
     * @throws ApiException 400 Bad Request when the body is not a Kubernetes protobuf object of a known kind
     */
    public static ObjectNode decode(byte[] body) {
        if (body == null || !hasMagic(body)) {
            throw ApiException.badRequest("the protobuf body does not start with the Kubernetes magic number \"k8s\\x00\"");
        }
        Runtime.Unknown unknown;
        try {
            CodedInputStream in = CodedInputStream.newInstance(body, MAGIC.length, body.length - MAGIC.length);
            in.setRecursionLimit(MAX_DEPTH);
            unknown = Runtime.Unknown.parseFrom(in);
        } catch (IOException e) {
            throw ApiException.badRequest("the protobuf body is not a runtime.Unknown: " + e.getMessage());
        }
        String apiVersion = unknown.getTypeMeta().getApiVersion();
        String kind = unknown.getTypeMeta().getKind();
        if (kind.isEmpty()) {
            throw ApiException.badRequest("Object 'Kind' is missing in the protobuf body");
        }
        if (apiVersion.isEmpty()) {
            throw ApiException.badRequest("Object 'apiVersion' is missing in the protobuf body");
        }
        if (!unknown.getContentEncoding().isEmpty()) {
            throw ApiException.badRequest("protobuf content encoding \"" + unknown.getContentEncoding() + "\" is not supported");
        }
        String contentType = unknown.getContentType();
        if (contentType.equals("application/json")) {
            return withTypeMeta(apiVersion, kind, rawJson(unknown.getRaw().toByteArray()));
        }
        if (!contentType.isEmpty() && !contentType.equals(MEDIA_TYPE)) {
            throw ApiException.badRequest("protobuf runtime.Unknown content type \"" + contentType + "\" is not supported");
        }

        Descriptor type = KubernetesProtoSchema.get().messageFor(apiVersion, kind).orElseThrow(() ->
                ApiException.badRequest("no kind \"" + kind + "\" is registered for version \"" + apiVersion + "\""));
        DynamicMessage object;
        try {
            CodedInputStream in = unknown.getRaw().newCodedInput();
            in.setRecursionLimit(MAX_DEPTH);
            object = DynamicMessage.parseFrom(type, in);
        } catch (IOException e) {
            throw ApiException.badRequest("the protobuf body is not a valid " + apiVersion + " " + kind + ": " + e.getMessage());
        }
        return withTypeMeta(apiVersion, kind, ProtoJson.object(object));
    }

    /** Whether a body starts with Kubernetes' protobuf magic number. */
    public static boolean hasMagic(byte[] body) {
        return body != null && body.length >= MAGIC.length && Arrays.equals(body, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    private static ObjectNode rawJson(byte[] raw) {
        try {
            JsonNode node = JSON.readTree(raw);
            if (node instanceof ObjectNode object) {
                return object;
            }
        } catch (JacksonException e) {
            throw ApiException.badRequest("the JSON inside the protobuf body is not valid: " + e.getOriginalMessage());
        }
        throw ApiException.badRequest("the JSON inside the protobuf body is not an object");
    }

    private static ObjectNode withTypeMeta(String apiVersion, String kind, ObjectNode fields) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("apiVersion", apiVersion);
        node.put("kind", kind);
        fields.properties().forEach(field -> {
            if (!field.getKey().equals("apiVersion") && !field.getKey().equals("kind")) {
                node.set(field.getKey(), field.getValue());
            }
        });
        return node;
    }
}
