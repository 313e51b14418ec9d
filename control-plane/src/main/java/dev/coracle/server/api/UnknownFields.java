package dev.coracle.server.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.coracle.server.registry.Quantities;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.Quantity;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds (and drops) the fields a client sent that the schema does not have: Fabric8's models keep
 * them in {@code additionalProperties}; Kubernetes' Go structs would have dropped them, rejecting
 * them under {@code fieldValidation=Strict} and warning under {@code Warn}.
 */
public final class UnknownFields {

    private static final Map<Class<?>, List<Field>> PROPERTIES = new ConcurrentHashMap<>();

    private UnknownFields() {
    }

    /**
     * What decoding into Kubernetes' Go types would have found: the unknown fields (paths such as
     * {@code spec.containers[0].imagePullPolcy}, in the model's field order), removed from the object, and the
     * first quantity that does not parse, a decode error there ({@code resource.Quantity}'s UnmarshalJSON).
     */
    public record Found(List<String> unknown, List<String> badQuantities) {
    }

    public static Found strip(Object object) {
        Found found = new Found(new ArrayList<>(), new ArrayList<>());
        walk(object, "", found);
        return found;
    }

    private static void walk(Object object, String path, Found found) {
        if (object instanceof Quantity q) {
            try {
                Quantities.parse(Quantities.text(q));
            } catch (IllegalArgumentException e) {
                found.badQuantities().add(path + ": \"" + Quantities.text(q) + "\": " + e.getMessage());
            }
            return;
        }
        if (object == null || object instanceof FieldsV1 || !object.getClass().getName().startsWith("io.fabric8.")) {
            if (object instanceof Collection<?> c) {
                int i = 0;
                for (Object item : c) {
                    walk(item, path + "[" + i++ + "]", found);
                }
            } else if (object instanceof Map<?, ?> m) {
                m.forEach((k, v) -> walk(v, path + "[" + k + "]", found));
            }
            return;
        }
        for (Field field : properties(object.getClass())) {
            try {
                Object value = field.get(object);
                if (field.getName().equals("additionalProperties")) {
                    if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        extra.keySet().forEach(k -> found.unknown().add(join(path, String.valueOf(k))));
                        extra.clear();
                    }
                    continue;
                }
                JsonProperty json = field.getAnnotation(JsonProperty.class);
                walk(value, join(path, json != null && !json.value().isEmpty() ? json.value() : field.getName()), found);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static List<Field> properties(Class<?> type) {
        return PROPERTIES.computeIfAbsent(type, t -> {
            List<Field> out = new ArrayList<>();
            for (Class<?> c = t; c != null && c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive() || f.getType() == String.class
                            || Number.class.isAssignableFrom(f.getType()) || f.getType() == Boolean.class || f.getType().isEnum()) {
                        continue;
                    }
                    if (f.getAnnotation(JsonProperty.class) == null && !f.getName().equals("additionalProperties")) {
                        continue;
                    }
                    f.setAccessible(true);
                    out.add(f);
                }
            }
            return out;
        });
    }
}
