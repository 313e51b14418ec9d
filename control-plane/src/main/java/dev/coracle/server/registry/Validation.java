package dev.coracle.server.registry;

import dev.coracle.server.api.ApiException.FieldError;
import io.fabric8.kubernetes.api.model.ObjectMeta;

import java.util.ArrayList;
import java.util.List;

/** TEMPORARY until the strategies branch lands with the full version. */
public final class Validation {
    private Validation() {
    }

    public static List<FieldError> validateObjectMeta(ObjectMeta meta, boolean namespaced, NameRule rule) {
        List<FieldError> out = new ArrayList<>();
        if (meta.getName() == null || meta.getName().isEmpty()) {
            out.add(FieldError.required("metadata.name", "name or generateName is required"));
        } else if (!meta.getName().matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")) {
            out.add(FieldError.invalid("metadata.name", meta.getName(), "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters"));
        }
        return out;
    }
}
