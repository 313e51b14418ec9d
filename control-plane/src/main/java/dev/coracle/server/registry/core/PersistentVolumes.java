package dev.coracle.server.registry.core;

import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.registry.Quantities;
import io.fabric8.kubernetes.api.model.Quantity;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import static dev.coracle.server.registry.Validation.forbidden;
import static dev.coracle.server.registry.Validation.invalid;
import static dev.coracle.server.registry.Validation.notSupported;

/** Helpers shared by PersistentVolume and PersistentVolumeClaim: access modes, classes, storage quantities. */
final class PersistentVolumes {

    static final List<String> ACCESS_MODES = List.of("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod");
    static final List<String> VOLUME_MODES = List.of("Block", "Filesystem");
    static final String BETA_STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class";

    private PersistentVolumes() {
    }

    /** Access modes: supported values, ReadWriteOncePod alone. */
    static List<FieldError> validateAccessModes(List<String> modes, String path) {
        List<FieldError> errs = new ArrayList<>();
        boolean rwop = false;
        boolean other = false;
        for (String mode : modes) {
            if (!ACCESS_MODES.contains(mode)) {
                errs.add(notSupported(path, mode, ACCESS_MODES));
            }
            if (mode.equals("ReadWriteOncePod")) {
                rwop = true;
            } else if (ACCESS_MODES.contains(mode)) {
                other = true;
            }
        }
        if (rwop && other) {
            errs.add(forbidden(path, "may not use ReadWriteOncePod with other access modes"));
        }
        return errs;
    }

    /** {@code GetAccessModesAsString}: RWO, ROX, RWX, RWOP in that order. */
    static String accessModes(List<String> modes) {
        LinkedHashSet<String> set = new LinkedHashSet<>(modes == null ? List.of() : modes);
        List<String> out = new ArrayList<>();
        if (set.contains("ReadWriteOnce")) {
            out.add("RWO");
        }
        if (set.contains("ReadOnlyMany")) {
            out.add("ROX");
        }
        if (set.contains("ReadWriteMany")) {
            out.add("RWX");
        }
        if (set.contains("ReadWriteOncePod")) {
            out.add("RWOP");
        }
        return String.join(",", out);
    }

    static List<FieldError> validateClassName(String name, String path) {
        return dev.coracle.server.registry.NameRule.DNS1123_SUBDOMAIN.validate(name, false).stream().map(m -> invalid(path, name, m)).toList();
    }

    /** {@code ValidatePositiveQuantityValue}. */
    static List<FieldError> validatePositive(Quantity q, String path) {
        if (!Quantities.isValid(q)) {
            return List.of(invalid(path, Quantities.text(q), Quantities.REGEX_MESSAGE));
        }
        if (Quantities.value(q).signum() <= 0) {
            return List.of(invalid(path, Quantities.canonical(q), "must be greater than zero"));
        }
        return List.of();
    }

    static String storage(Map<String, Quantity> resources) {
        Quantity q = resources == null ? null : resources.get("storage");
        if (q == null) {
            return "0";
        }
        return Quantities.isValid(q) ? Quantities.canonical(q) : Quantities.text(q);
    }
}
