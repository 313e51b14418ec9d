package dev.coracle.server.api;

import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.registry.Validation;
import io.fabric8.kubernetes.api.model.DeleteOptions;

import java.util.ArrayList;
import java.util.List;

/**
 * The options of a write, checked before anything else as kube-apiserver's handlers check them
 * ({@code ValidateCreateOptions}, {@code ValidateUpdateOptions}, {@code ValidatePatchOptions},
 * {@code ValidateDeleteOptions}): a bad value is a 422 on {@code CreateOptions.meta.k8s.io ""} (or
 * Update, Patch, Delete) naming the option.
 */
final class Options {

    private static final List<String> DRY_RUN = List.of("All");
    private static final List<String> FIELD_VALIDATION = List.of("", "Ignore", "Strict", "Warn");
    private static final List<String> PROPAGATION = List.of("Foreground", "Background", "Orphan");

    private Options() {
    }

    /** @param kind CreateOptions, UpdateOptions or PatchOptions */
    static void validateWrite(String kind, Query query) {
        List<FieldError> errors = new ArrayList<>(dryRun(query.params().get("dryRun")));
        String fieldValidation = query.params().getFirst("fieldValidation");
        if (fieldValidation != null && !FIELD_VALIDATION.contains(fieldValidation)) {
            errors.add(Validation.notSupported("fieldValidation", fieldValidation, FIELD_VALIDATION));
        }
        throwIfAny(kind, errors);
    }

    static void validateDelete(Query query, DeleteOptions options) {
        List<FieldError> errors = new ArrayList<>();
        String policy = options.getPropagationPolicy();
        if (options.getOrphanDependents() != null && policy != null) {
            errors.add(Validation.invalid("propagationPolicy", policy, "orphanDependents and deletionPropagation cannot be both set"));
        }
        if (policy != null && !PROPAGATION.contains(policy)) {
            // Kubernetes lists "nil" among the supported values: leaving the policy out
            errors.add(Validation.notSupported("propagationPolicy", policy, List.of("Foreground", "Background", "Orphan", "nil")));
        }
        errors.addAll(dryRun(query.params().get("dryRun")));
        errors.addAll(dryRun(options.getDryRun()));
        throwIfAny("DeleteOptions", errors);
    }

    /** {@code ValidateListOptions} for a list (not a watch): how resourceVersionMatch goes with resourceVersion and continue. */
    static void validateList(Query query) {
        List<FieldError> errors = new ArrayList<>();
        String match = query.get("resourceVersionMatch");
        if (match != null) {
            String rv = query.get("resourceVersion");
            if (rv == null) {
                errors.add(Validation.forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden unless resourceVersion is provided"));
            }
            if (query.get("continue") != null) {
                errors.add(Validation.forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"));
            }
            if (!match.equals("Exact") && !match.equals("NotOlderThan")) {
                errors.add(Validation.notSupported("resourceVersionMatch", match, List.of("Exact", "NotOlderThan", "")));
            }
            if (match.equals("Exact") && "0".equals(rv)) {
                errors.add(Validation.forbidden("resourceVersionMatch", "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\""));
            }
        }
        throwIfAny("ListOptions", errors);
    }

    private static List<FieldError> dryRun(List<String> values) {
        if (values == null) {
            return List.of();
        }
        List<String> given = values.stream().filter(v -> v != null && !v.isEmpty()).toList();
        if (DRY_RUN.containsAll(given)) {
            return List.of();
        }
        return List.of(Validation.notSupported("dryRun", given, DRY_RUN));
    }

    private static void throwIfAny(String kind, List<FieldError> errors) {
        if (!errors.isEmpty()) {
            throw ApiException.invalid(kind + ".meta.k8s.io", "", errors);
        }
    }
}
