package dev.coracle.server.patch;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.coracle.server.patch.PatchStrategies.ListType;
import dev.coracle.server.patch.PatchStrategies.Tags;
import io.fabric8.kubernetes.api.model.AnyType;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The shape of a Kubernetes type as the patchers need it, derived from a Fabric8 model class by reflection
 * plus {@link PatchStrategies}: structs with named fields, maps, lists (atomic, set or map with keys), scalars,
 * and "untyped" for what the model does not describe (objects merge key by key, lists are atomic).
 * Struct shapes are built lazily and cached, so recursive types are fine.
 */
final class Schema {

    enum Kind { STRUCT, MAP, LIST, SCALAR, UNTYPED }

    /**
     * A struct field: its JSON name, its type, the strategic-merge-patch tags it carries, and whether Go's zero
     * value of the enclosing struct has it (an empty struct or list) rather than omitting it.
     */
    record FieldDef(String name, Schema type, String patchStrategy, String mergeKey, boolean inZeroValue) {
        boolean strategy(String s) {
            return patchStrategy != null && List.of(patchStrategy.split(",")).contains(s);
        }
    }

    static final Schema SCALAR = new Schema(Kind.SCALAR, "scalar", false, null, null, null, List.of());
    static final Schema UNTYPED = new Schema(Kind.UNTYPED, "untyped", false, null, null, null, List.of());

    private static final Map<Class<?>, Schema> STRUCTS = new ConcurrentHashMap<>();

    final Kind kind;
    final String name;
    final boolean atomic;
    final ListType listType;
    final List<String> keys;
    private final Class<?> structClass;
    private final Supplier<Schema> elemSupplier;
    private volatile Map<String, FieldDef> fields;
    private volatile Schema elem;

    private Schema(Kind kind, String name, boolean atomic, Class<?> structClass, Supplier<Schema> elemSupplier,
                   ListType listType, List<String> keys) {
        this.kind = kind;
        this.name = name;
        this.atomic = atomic;
        this.structClass = structClass;
        this.elemSupplier = elemSupplier;
        this.listType = listType;
        this.keys = keys;
    }

    /** The schema of a Fabric8 model class (a resource's {@code modelClass}). */
    static Schema of(Class<?> modelClass) {
        return STRUCTS.computeIfAbsent(modelClass, c -> new Schema(Kind.STRUCT, c.getSimpleName(),
                PatchStrategies.atomicStruct(c.getSimpleName()), c, null, null, List.of()));
    }

    boolean isStruct() {
        return kind == Kind.STRUCT;
    }

    /** Whether a JSON object of this type is merged key by key (struct, granular map or untyped). */
    boolean isGranularObject() {
        return (kind == Kind.STRUCT || kind == Kind.MAP || kind == Kind.UNTYPED) && !atomic;
    }

    /** Whether a JSON array of this type is merged item by item. */
    boolean isGranularList() {
        return kind == Kind.LIST && listType != ListType.ATOMIC;
    }

    /** A struct's field names (empty for other kinds). */
    java.util.Set<String> fieldNames() {
        return kind == Kind.STRUCT ? fields().keySet() : java.util.Set.of();
    }

    /** A struct's field, or null when it has none of that name. */
    FieldDef field(String fieldName) {
        return kind == Kind.STRUCT ? fields().get(fieldName) : null;
    }

    /** The type of the value under {@code key} of an object of this type. */
    Schema child(String key) {
        return switch (kind) {
            case STRUCT -> {
                FieldDef f = fields().get(key);
                yield f == null ? UNTYPED : f.type();
            }
            case MAP -> elem();
            default -> UNTYPED;
        };
    }

    /** The type of a list's items or a map's values. */
    Schema elem() {
        if (elemSupplier == null) {
            return UNTYPED;
        }
        Schema e = elem;
        if (e == null) {
            e = elemSupplier.get();
            elem = e;
        }
        return e;
    }

    private Map<String, FieldDef> fields() {
        Map<String, FieldDef> f = fields;
        if (f == null) {
            synchronized (this) {
                f = fields;
                if (f == null) {
                    f = reflectFields(structClass);
                    fields = f;
                }
            }
        }
        return f;
    }

    private static Map<String, FieldDef> reflectFields(Class<?> cls) {
        Map<String, FieldDef> result = new HashMap<>();
        String owner = cls.getSimpleName();
        for (Class<?> c = cls; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                JsonProperty property = field.getAnnotation(JsonProperty.class);
                if (Modifier.isStatic(field.getModifiers()) || property == null || field.isAnnotationPresent(JsonIgnore.class)) {
                    continue;
                }
                String json = property.value().isEmpty() ? field.getName() : property.value();
                Tags tags = PatchStrategies.tags(owner, json);
                Schema type = forType(field.getGenericType(), tags);
                result.putIfAbsent(json, new FieldDef(json, type,
                        tags == null ? null : tags.patchStrategy(), tags == null ? null : tags.mergeKey(),
                        (type.isStruct() || type.kind == Kind.LIST) && PatchStrategies.inZeroValue(owner, json)));
            }
        }
        return Collections.unmodifiableMap(result);
    }

    private static Schema forType(Type type, Tags tags) {
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
            Type[] args = p.getActualTypeArguments();
            if (List.class.isAssignableFrom(raw)) {
                ListType listType = tags == null ? ListType.ATOMIC : tags.effectiveListType();
                List<String> keys = tags == null || listType != ListType.MAP ? List.of() : tags.effectiveKeys();
                return new Schema(Kind.LIST, "list", false, null, () -> forType(args[0], null), listType, keys);
            }
            if (Map.class.isAssignableFrom(raw)) {
                Type valueType = args.length > 1 ? args[1] : Object.class;
                return new Schema(Kind.MAP, "map", tags != null && tags.atomicMap(), null,
                        () -> forType(valueType, null), null, List.of());
            }
            return UNTYPED;
        }
        if (!(type instanceof Class<?> c)) {
            return UNTYPED;
        }
        if (c.isPrimitive() || c.isEnum() || c == String.class || Number.class.isAssignableFrom(c) || c == Boolean.class
                || c == Quantity.class || c == IntOrString.class) {
            return SCALAR;
        }
        if (c == Object.class || AnyType.class.isAssignableFrom(c) || Map.class.isAssignableFrom(c)) {
            return UNTYPED;
        }
        if (List.class.isAssignableFrom(c)) {
            return new Schema(Kind.LIST, "list", false, null, null, ListType.ATOMIC, List.of());
        }
        if (c.getName().startsWith("io.fabric8.") && hasJsonProperties(c)) {
            return of(c);
        }
        return UNTYPED;
    }

    private static boolean hasJsonProperties(Class<?> c) {
        for (Field f : c.getDeclaredFields()) {
            if (f.isAnnotationPresent(JsonProperty.class)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return kind == Kind.STRUCT ? name : kind.name().toLowerCase();
    }
}
