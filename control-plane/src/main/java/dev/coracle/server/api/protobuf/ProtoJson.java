package dev.coracle.server.api.protobuf;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor.JavaType;
import com.google.protobuf.Message;
import dev.coracle.server.api.ApiException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;

/**
 * Turns a Kubernetes protobuf message into the JSON Kubernetes writes for the same object, walking the
 * message by its descriptor: the proto field names are the JSON names.
 *
 * <p>What needs more than the descriptor: {@code intstr.IntOrString} (a number or a string),
 * {@code resource.Quantity} (its string), {@code meta.v1.Time} / {@code MicroTime} (RFC 3339, to the second /
 * microsecond; an empty one is Go's zero time, {@code null}), {@code meta.v1.Duration} (Go's duration string),
 * {@code runtime.RawExtension} and {@code meta.v1.FieldsV1} (the JSON they carry), and the Go slice types
 * ({@code meta.v1.Verbs}, {@code ExtraValue}) that are arrays. Bytes are base64, maps are objects, repeated
 * fields are arrays and empty ones are left out. A present scalar with its zero value is left out unless the
 * Go field is a pointer ({@link PointerFields}), which is how kube-apiserver reads it.
 */
final class ProtoJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String INT_OR_STRING = KubernetesProtoSchema.INTSTR + ".IntOrString";
    private static final String QUANTITY = KubernetesProtoSchema.RESOURCE + ".Quantity";
    private static final String TIME = KubernetesProtoSchema.META + ".Time";
    private static final String MICRO_TIME = KubernetesProtoSchema.META + ".MicroTime";
    private static final String DURATION = KubernetesProtoSchema.META + ".Duration";
    private static final String FIELDS_V1 = KubernetesProtoSchema.META + ".FieldsV1";
    private static final String VERBS = KubernetesProtoSchema.META + ".Verbs";
    private static final String RAW_EXTENSION = KubernetesProtoSchema.RUNTIME + ".RawExtension";

    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter RFC3339_MICRO = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);
    /** Go's time.Time JSON only covers years 0000-9999. */
    private static final long MIN_SECONDS = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
    private static final long MAX_SECONDS = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();

    private ProtoJson() {
    }

    static ObjectNode object(Message message) {
        ObjectNode node = NODES.objectNode();
        for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
            if (field.isRepeated()) {
                int count = message.getRepeatedFieldCount(field);
                if (count == 0) {
                    continue;
                }
                if (field.isMapField()) {
                    node.set(field.getName(), map(message, field));
                } else {
                    ArrayNode array = node.putArray(field.getName());
                    for (int i = 0; i < count; i++) {
                        array.add(value(field, message.getRepeatedField(field, i)));
                    }
                }
            } else if (message.hasField(field)) {
                Object value = message.getField(field);
                if (field.getJavaType() == JavaType.MESSAGE || !isZero(value) || PointerFields.isPointer(field)) {
                    node.set(field.getName(), value(field, value));
                }
            }
        }
        return node;
    }

    private static ObjectNode map(Message message, FieldDescriptor field) {
        Descriptor entry = field.getMessageType();
        FieldDescriptor keyField = entry.findFieldByNumber(1);
        FieldDescriptor valueField = entry.findFieldByNumber(2);
        ObjectNode node = NODES.objectNode();
        for (int i = 0; i < message.getRepeatedFieldCount(field); i++) {
            Message pair = (Message) message.getRepeatedField(field, i);
            node.set(String.valueOf(pair.getField(keyField)), value(valueField, pair.getField(valueField)));
        }
        return node;
    }

    private static boolean isZero(Object value) {
        if (value instanceof String s) {
            return s.isEmpty();
        }
        if (value instanceof Boolean b) {
            return !b;
        }
        if (value instanceof ByteString bytes) {
            return bytes.isEmpty();
        }
        if (value instanceof Number n) {
            return n.doubleValue() == 0;
        }
        return false;
    }

    private static JsonNode value(FieldDescriptor field, Object value) {
        return switch (field.getType()) {
            case STRING -> NODES.stringNode((String) value);
            case BOOL -> NODES.booleanNode((Boolean) value);
            case INT32, SINT32, SFIXED32 -> NODES.numberNode((Integer) value);
            case INT64, SINT64, SFIXED64 -> integer((Long) value);
            case UINT32, FIXED32 -> integer(Integer.toUnsignedLong((Integer) value));
            case UINT64, FIXED64 -> (Long) value >= 0 ? integer((Long) value)
                    : NODES.numberNode(new BigInteger(Long.toUnsignedString((Long) value)));
            case FLOAT -> finite(field, ((Float) value).doubleValue());
            case DOUBLE -> finite(field, (Double) value);
            case BYTES -> NODES.stringNode(Base64.getEncoder().encodeToString(((ByteString) value).toByteArray()));
            case ENUM -> NODES.stringNode(((com.google.protobuf.Descriptors.EnumValueDescriptor) value).getName());
            case MESSAGE, GROUP -> message((Message) value);
        };
    }

    /** The node Jackson's parser would make for the same number: an int when it fits, else a long. */
    private static JsonNode integer(long value) {
        return value == (int) value ? NODES.numberNode((int) value) : NODES.numberNode(value);
    }

    private static JsonNode finite(FieldDescriptor field, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw ApiException.badRequest("protobuf field " + field.getFullName() + " is not a finite number");
        }
        return NODES.numberNode(value);
    }

    private static JsonNode message(Message message) {
        Descriptor type = message.getDescriptorForType();
        String name = type.getFullName();
        return switch (name) {
            case INT_OR_STRING -> intOrString(message);
            case QUANTITY -> NODES.stringNode(quantity(message));
            case TIME -> time(message, RFC3339);
            case MICRO_TIME -> time(message, RFC3339_MICRO);
            case DURATION -> NODES.stringNode(goDuration(longField(message, "duration")));
            case RAW_EXTENSION -> rawJson(message, "raw");
            case FIELDS_V1 -> rawJson(message, "Raw");
            case VERBS -> items(message);
            default -> type.getName().equals("ExtraValue") && type.getFullName().startsWith("k8s.io.api.")
                    ? items(message) : object(message);
        };
    }

    /** intstr.IntOrString: {@code type} 0 is an int, 1 a string (Go's intstr.Int / intstr.String). */
    private static JsonNode intOrString(Message message) {
        long type = longField(message, "type");
        if (type == 0) {
            FieldDescriptor intVal = message.getDescriptorForType().findFieldByName("intVal");
            return NODES.numberNode((Integer) message.getField(intVal));
        }
        if (type == 1) {
            FieldDescriptor strVal = message.getDescriptorForType().findFieldByName("strVal");
            return NODES.stringNode((String) message.getField(strVal));
        }
        throw ApiException.badRequest("protobuf IntOrString has an unknown type " + type + " (0 is int, 1 is string)");
    }

    /** resource.Quantity: its {@code string}; Go reads a Quantity with none as zero. */
    private static String quantity(Message message) {
        FieldDescriptor string = message.getDescriptorForType().findFieldByName("string");
        return message.hasField(string) ? (String) message.getField(string) : "0";
    }

    /** meta.v1.Time / MicroTime: Go writes its zero time as an empty message and as JSON {@code null}. */
    private static JsonNode time(Message message, DateTimeFormatter format) {
        FieldDescriptor seconds = message.getDescriptorForType().findFieldByName("seconds");
        FieldDescriptor nanos = message.getDescriptorForType().findFieldByName("nanos");
        if (!message.hasField(seconds) && !message.hasField(nanos)) {
            return NODES.nullNode();
        }
        long s = (Long) message.getField(seconds);
        int n = (Integer) message.getField(nanos);
        if (s < MIN_SECONDS || s > MAX_SECONDS || n < 0 || n > 999_999_999) {
            throw ApiException.badRequest("protobuf " + message.getDescriptorForType().getName()
                    + " is out of range: seconds=" + s + ", nanos=" + n);
        }
        return NODES.stringNode(format.format(Instant.ofEpochSecond(s, n)));
    }

    private static JsonNode rawJson(Message message, String fieldName) {
        FieldDescriptor raw = message.getDescriptorForType().findFieldByName(fieldName);
        ByteString bytes = (ByteString) message.getField(raw);
        if (bytes.isEmpty()) {
            return NODES.nullNode();
        }
        byte[] data = bytes.toByteArray();
        if (ProtobufDecoder.hasMagic(data)) {
            return ProtobufDecoder.decode(data);
        }
        try {
            return JSON.readTree(data);
        } catch (JacksonException e) {
            throw ApiException.badRequest("protobuf " + message.getDescriptorForType().getName()
                    + " does not hold JSON: " + e.getOriginalMessage());
        }
    }

    private static JsonNode items(Message message) {
        FieldDescriptor items = message.getDescriptorForType().findFieldByName("items");
        ArrayNode array = NODES.arrayNode();
        for (Object item : (List<?>) message.getField(items)) {
            array.add(value(items, item));
        }
        return array;
    }

    private static long longField(Message message, String name) {
        return ((Number) message.getField(message.getDescriptorForType().findFieldByName(name))).longValue();
    }

    /** Go's time.Duration.String(): {@code 1h2m3.5s}, {@code 150ms}, {@code 0s}. */
    static String goDuration(long nanos) {
        if (nanos == 0) {
            return "0s";
        }
        boolean negative = nanos < 0;
        BigInteger u = BigInteger.valueOf(nanos).abs();
        StringBuilder out = new StringBuilder();
        if (u.compareTo(BigInteger.valueOf(1_000_000_000L)) < 0) {
            long v = u.longValue();
            if (v < 1_000) {
                out.append(v).append("ns");
            } else if (v < 1_000_000) {
                out.append(fraction(v, 3)).append("µs");
            } else {
                out.append(fraction(v, 6)).append("ms");
            }
        } else {
            BigInteger[] secondsAndNanos = u.divideAndRemainder(BigInteger.valueOf(1_000_000_000L));
            String frac = fractionDigits(secondsAndNanos[1].longValue(), 9);
            BigInteger[] minutesAndSeconds = secondsAndNanos[0].divideAndRemainder(BigInteger.valueOf(60));
            BigInteger[] hoursAndMinutes = minutesAndSeconds[0].divideAndRemainder(BigInteger.valueOf(60));
            if (hoursAndMinutes[0].signum() > 0) {
                out.append(hoursAndMinutes[0]).append('h');
            }
            if (minutesAndSeconds[0].signum() > 0) {
                out.append(hoursAndMinutes[1]).append('m');
            }
            out.append(minutesAndSeconds[1]).append(frac).append('s');
        }
        return (negative ? "-" : "") + out;
    }

    private static String fraction(long v, int digits) {
        long unit = (long) Math.pow(10, digits);
        return (v / unit) + fractionDigits(v % unit, digits);
    }

    private static String fractionDigits(long remainder, int digits) {
        if (remainder == 0) {
            return "";
        }
        String s = String.format("%0" + digits + "d", remainder).replaceAll("0+$", "");
        return "." + s;
    }
}
