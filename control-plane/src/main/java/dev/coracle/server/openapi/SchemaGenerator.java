package dev.coracle.server.openapi;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Version;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.time.temporal.Temporal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Builds OpenAPI v3 component schemas from Fabric8 model classes by reflection on their Jackson
 * {@code @JsonProperty} fields, named and typed as Kubernetes names and types them.
 *
 * <p>Each definition is built once and shared; {@link #closure} gathers the definitions a document needs.
 * Definitions are never changed after they are built: whoever adds to one copies it first.
 */
final class SchemaGenerator {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String FABRIC8 = "io.fabric8.";

    private final Map<Class<?>, String> names = new HashMap<>();
    private final Map<String, ObjectNode> definitions = new HashMap<>();
    private final Map<String, Set<String>> references = new HashMap<>();

    SchemaGenerator() {
        builtin(SchemaNames.QUANTITY, oneOf("string", "number"));
        ObjectNode intOrString = oneOf("integer", "string");
        intOrString.put("format", "int-or-string");
        intOrString.put("x-kubernetes-int-or-string", true);
        builtin(SchemaNames.INT_OR_STRING, intOrString);
        builtin(SchemaNames.TIME, NODES.objectNode().put("type", "string").put("format", "date-time"));
        builtin(SchemaNames.MICRO_TIME, NODES.objectNode().put("type", "string").put("format", "date-time"));
        builtin(SchemaNames.DURATION, NODES.objectNode().put("type", "string"));
        builtin(SchemaNames.RAW_EXTENSION, NODES.objectNode().put("type", "object"));
        builtin(SchemaNames.PATCH, NODES.objectNode().put("type", "object"));
    }

    private static ObjectNode oneOf(String... types) {
        ObjectNode schema = NODES.objectNode();
        ArrayNode alternatives = schema.putArray("oneOf");
        for (String type : types) {
            alternatives.addObject().put("type", type);
        }
        return schema;
    }

    private void builtin(String name, ObjectNode schema) {
        Descriptions.ofType(name).ifPresent(text -> schema.put("description", text));
        definitions.put(name, schema);
        references.put(name, Set.of());
    }

    /** Defines the schema of a model class (and of all it refers to) and returns its name. */
    String define(Class<?> type) {
        String known = names.get(type);
        if (known != null) {
            return known;
        }
        String name = SchemaNames.of(type);
        names.put(type, name);
        if (definitions.containsKey(name)) {
            return name;
        }
        Set<String> refs = new LinkedHashSet<>();
        ObjectNode placeholder = NODES.objectNode();
        definitions.put(name, placeholder);
        references.put(name, refs);

        ObjectNode schema = NODES.objectNode();
        Descriptions.ofType(name).ifPresent(text -> schema.put("description", text));
        Map<String, Field> fields = properties(type);
        ObjectNode properties = NODES.objectNode();
        for (Map.Entry<String, Field> entry : fields.entrySet()) {
            String property = entry.getKey();
            Field field = entry.getValue();
            ObjectNode propertySchema = propertySchema(property, field.getGenericType(), refs);
            if (propertySchema.path("type").asString("").equals("array")) {
                var rule = SchemaConventions.listRule(name, property, itemsHaveProperty(field.getGenericType(), "type"));
                if (rule != null) {
                    rule.applyTo(propertySchema);
                }
            }
            properties.set(property, describe(propertySchema, name, property));
        }
        List<String> required = SchemaConventions.required(name).stream().filter(fields::containsKey).toList();
        if (!required.isEmpty()) {
            ArrayNode array = schema.putArray("required");
            required.forEach(array::add);
        }
        if (!properties.isEmpty()) {
            schema.set("properties", properties);
        }
        schema.put("type", "object");
        Group group = type.getAnnotation(Group.class);
        Version version = type.getAnnotation(Version.class);
        if (group != null && version != null) {
            ArrayNode gvks = schema.putArray("x-kubernetes-group-version-kind");
            gvks.add(gvk(group.value(), version.value(), kindOf(type)));
        }
        if (SchemaConventions.atomicStruct(name)) {
            schema.put("x-kubernetes-map-type", "atomic");
        }
        placeholder.setAll(schema);
        return name;
    }

    /** Defines a schema built by hand, with the model classes it refers to. */
    void defineSynthetic(String name, ObjectNode schema, Collection<String> refs) {
        definitions.put(name, schema);
        references.put(name, Set.copyOf(refs));
    }

    boolean isDefined(String name) {
        return definitions.containsKey(name);
    }

    ObjectNode definition(String name) {
        return definitions.get(name);
    }

    /** The named definitions and every definition they refer to, sorted by name. */
    SortedMap<String, ObjectNode> closure(Collection<String> roots) {
        SortedMap<String, ObjectNode> out = new TreeMap<>();
        Deque<String> pending = new ArrayDeque<>(roots);
        while (!pending.isEmpty()) {
            String name = pending.pop();
            if (out.containsKey(name) || !definitions.containsKey(name)) {
                continue;
            }
            out.put(name, definitions.get(name));
            pending.addAll(references.getOrDefault(name, Set.of()));
        }
        return out;
    }

    static ObjectNode gvk(String group, String version, String kind) {
        return NODES.objectNode().put("group", group).put("kind", kind).put("version", version);
    }

    private static String kindOf(Class<?> type) {
        Kind kind = type.getAnnotation(Kind.class);
        return kind != null ? kind.value() : type.getSimpleName();
    }

    /**
     * A property's schema with its description. A reference is wrapped in {@code allOf} to carry the field's own
     * description, as Kubernetes does. A reference whose field has no description of its own (Kubernetes' Java
     * client, where the descriptions come from, loses those) gets the referenced type's description beside the
     * {@code $ref}: kubectl shows it in field lists, and for the field itself shows the type's description once.
     */
    private static ObjectNode describe(ObjectNode schema, String schemaName, String property) {
        String description = Descriptions.ofField(schemaName, property).orElse(null);
        if (schema.has("$ref")) {
            if (description != null) {
                ObjectNode wrapped = NODES.objectNode();
                wrapped.putArray("allOf").add(schema);
                wrapped.put("description", description);
                return wrapped;
            }
            String target = schema.get("$ref").asString().substring(SchemaNames.ref("").length());
            Descriptions.ofType(target).ifPresent(text -> schema.put("description", text));
            return schema;
        }
        if (description == null) {
            return schema;
        }
        ObjectNode described = NODES.objectNode();
        described.put("description", description);
        described.setAll(schema);
        return described;
    }

    private ObjectNode propertySchema(String property, Type type, Set<String> refs) {
        if (type == String.class && SchemaConventions.isTimeField(property)) {
            return ref(SchemaNames.TIME, refs);
        }
        return schemaOf(type, refs);
    }

    private ObjectNode schemaOf(Type type, Set<String> refs) {
        if (type instanceof ParameterizedType parameterized && parameterized.getRawType() instanceof Class<?> raw) {
            Type[] arguments = parameterized.getActualTypeArguments();
            if (Collection.class.isAssignableFrom(raw)) {
                ObjectNode array = NODES.objectNode().put("type", "array");
                array.set("items", schemaOf(arguments[0], refs));
                return array;
            }
            if (Map.class.isAssignableFrom(raw)) {
                return mapOf(arguments[1], refs);
            }
            return schemaOf(raw, refs);
        }
        if (type instanceof GenericArrayType array) {
            ObjectNode schema = NODES.objectNode().put("type", "array");
            schema.set("items", schemaOf(array.getGenericComponentType(), refs));
            return schema;
        }
        if (type instanceof WildcardType wildcard) {
            return schemaOf(wildcard.getUpperBounds()[0], refs);
        }
        if (!(type instanceof Class<?> cls)) {
            return freeForm();
        }
        if (cls == String.class || cls == Character.class || cls == char.class) {
            return NODES.objectNode().put("type", "string");
        }
        if (cls == Integer.class || cls == int.class || cls == Short.class || cls == short.class
                || cls == Byte.class || cls == byte.class) {
            return NODES.objectNode().put("type", "integer").put("format", "int32");
        }
        if (cls == Long.class || cls == long.class || cls == java.math.BigInteger.class) {
            return NODES.objectNode().put("type", "integer").put("format", "int64");
        }
        if (cls == Boolean.class || cls == boolean.class) {
            return NODES.objectNode().put("type", "boolean");
        }
        if (cls == Double.class || cls == double.class || cls == Float.class || cls == float.class
                || cls == java.math.BigDecimal.class) {
            return NODES.objectNode().put("type", "number").put("format", "double");
        }
        if (cls == byte[].class) {
            return NODES.objectNode().put("type", "string").put("format", "byte");
        }
        if (cls.isArray()) {
            ObjectNode schema = NODES.objectNode().put("type", "array");
            schema.set("items", schemaOf(cls.getComponentType(), refs));
            return schema;
        }
        if (Collection.class.isAssignableFrom(cls)) {
            ObjectNode schema = NODES.objectNode().put("type", "array");
            schema.set("items", freeForm());
            return schema;
        }
        if (Map.class.isAssignableFrom(cls)) {
            return mapOf(Object.class, refs);
        }
        if (cls.isEnum()) {
            ObjectNode schema = NODES.objectNode().put("type", "string");
            ArrayNode values = schema.putArray("enum");
            for (Object constant : cls.getEnumConstants()) {
                values.add(enumValue((Enum<?>) constant));
            }
            return schema;
        }
        if (Temporal.class.isAssignableFrom(cls) || cls == java.util.Date.class) {
            return ref(SchemaNames.MICRO_TIME, refs);
        }
        if (cls.getName().startsWith(FABRIC8)) {
            String name = SchemaNames.of(cls);
            if (definitions.containsKey(name) && !names.containsKey(cls)) {
                names.put(cls, name); // a built-in definition: Quantity, IntOrString, MicroTime, Duration, ...
            }
            return ref(define(cls), refs);
        }
        if (cls.getName().startsWith("java.")) {
            return cls == Object.class ? freeForm() : NODES.objectNode().put("type", "string");
        }
        return hasProperties(cls) ? ref(define(cls), refs) : freeForm();
    }

    private ObjectNode mapOf(Type valueType, Set<String> refs) {
        ObjectNode map = NODES.objectNode().put("type", "object");
        map.set("additionalProperties", schemaOf(valueType, refs));
        return map;
    }

    private static ObjectNode freeForm() {
        return NODES.objectNode().put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
    }

    private static ObjectNode ref(String name, Set<String> refs) {
        refs.add(name);
        return NODES.objectNode().put("$ref", SchemaNames.ref(name));
    }

    private static String enumValue(Enum<?> constant) {
        try {
            JsonProperty property = constant.getDeclaringClass().getField(constant.name()).getAnnotation(JsonProperty.class);
            if (property != null && !property.value().isEmpty()) {
                return property.value();
            }
        } catch (NoSuchFieldException e) {
            // fall through to the constant's name
        }
        return constant.name();
    }

    private static boolean hasProperties(Class<?> cls) {
        return !properties(cls).isEmpty();
    }

    private static boolean itemsHaveProperty(Type listType, String property) {
        if (listType instanceof ParameterizedType parameterized
                && parameterized.getActualTypeArguments()[0] instanceof Class<?> item) {
            return properties(item).containsKey(property);
        }
        return false;
    }

    /** The JSON properties of a class, in {@code @JsonPropertyOrder} order, then declaration order. */
    static Map<String, Field> properties(Class<?> type) {
        List<Class<?>> hierarchy = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            hierarchy.add(0, c);
        }
        Map<String, Field> declared = new LinkedHashMap<>();
        for (Class<?> c : hierarchy) {
            for (Field field : c.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) || field.isAnnotationPresent(JsonIgnore.class)) {
                    continue;
                }
                JsonProperty property = field.getAnnotation(JsonProperty.class);
                if (property == null) {
                    continue;
                }
                String name = property.value().isEmpty() ? field.getName() : property.value();
                if (!name.equals("additionalProperties")) {
                    declared.put(name, field);
                }
            }
        }
        Map<String, Field> ordered = new LinkedHashMap<>();
        JsonPropertyOrder order = type.getAnnotation(JsonPropertyOrder.class);
        if (order != null) {
            for (String name : order.value()) {
                Field field = declared.get(name);
                if (field != null) {
                    ordered.put(name, field);
                }
            }
        }
        declared.forEach(ordered::putIfAbsent);
        return ordered;
    }
}
