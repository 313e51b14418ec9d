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

    private static final Map<Class<?>, List<Property>> PROPERTIES = new ConcurrentHashMap<>();

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
        walk(object, null, found);
        return found;
    }

    /** Where the walk is, spelt only when something is found there: most objects have nothing to report. */
    private record Path(Path parent, String field, Object item) {

        static String render(Path path) {
            if (path == null) {
                return "";
            }
            String parent = render(path.parent);
            if (path.field == null) {
                return parent + "[" + path.item + "]";
            }
            return parent.isEmpty() ? path.field : parent + "." + path.field;
        }
    }

    private static void walk(Object object, Path path, Found found) {
        if (object instanceof Quantity q) {
            try {
                Quantities.parse(Quantities.text(q));
            } catch (IllegalArgumentException e) {
                found.badQuantities().add(Path.render(path) + ": \"" + Quantities.text(q) + "\": " + e.getMessage());
            }
            return;
        }
        if (object == null || object instanceof FieldsV1 || !object.getClass().getName().startsWith("io.fabric8.")) {
            if (object instanceof Collection<?> c) {
                int i = 0;
                for (Object item : c) {
                    walk(item, new Path(path, null, i++), found);
                }
            } else if (object instanceof Map<?, ?> m) {
                m.forEach((k, v) -> walk(v, new Path(path, null, k), found));
            }
            return;
        }
        for (Property property : properties(object.getClass())) {
            try {
                Object value = property.field().get(object);
                if (property.extra()) {
                    if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        extra.keySet().forEach(k -> found.unknown().add(Path.render(new Path(path, String.valueOf(k), null))));
                        extra.clear();
                    }
                    continue;
                }
                if (value != null) {
                    walk(value, new Path(path, property.name(), null), found);
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A model field the walk visits: its JSON name, or the model's {@code additionalProperties}. */
    private record Property(Field field, String name, boolean extra) {
    }

    private static List<Property> properties(Class<?> type) {
        return PROPERTIES.computeIfAbsent(type, t -> {
            List<Property> out = new ArrayList<>();
            for (Class<?> c = t; c != null && c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive() || f.getType() == String.class
                            || Number.class.isAssignableFrom(f.getType()) || f.getType() == Boolean.class || f.getType().isEnum()) {
                        continue;
                    }
                    JsonProperty json = f.getAnnotation(JsonProperty.class);
                    boolean extra = f.getName().equals("additionalProperties");
                    if (json == null && !extra) {
                        continue;
                    }
                    f.setAccessible(true);
                    out.add(new Property(f, json != null && !json.value().isEmpty() ? json.value() : f.getName(), extra));
                }
            }
            return out;
        });
    }
}
