package dev.coracle.server.patch;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.patch.ManagedFields.Key;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.StatusCauseBuilder;
import io.fabric8.kubernetes.api.model.StatusDetailsBuilder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fields an apply would change that other managers own, and the 409 kube-apiserver answers for them:
 * {@code Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas},
 * with one {@code FieldManagerConflict} cause per field.
 */
final class Conflicts extends RuntimeException {

    private final Map<Key, FieldSet> byManager;

    Conflicts(Map<Key, FieldSet> byManager) {
        super("apply conflicts");
        this.byManager = new LinkedHashMap<>(byManager);
    }

    Map<Key, FieldSet> byManager() {
        return byManager;
    }

    FieldSet union() {
        FieldSet all = FieldSet.empty();
        for (FieldSet s : byManager.values()) {
            all = all.union(s);
        }
        return all;
    }

    /** These conflicts without the given fields; null when none remain. */
    Conflicts without(FieldSet allowed) {
        Map<Key, FieldSet> rest = new LinkedHashMap<>();
        byManager.forEach((k, s) -> {
            FieldSet r = s.difference(allowed);
            if (!r.isEmpty()) {
                rest.put(k, r);
            }
        });
        return rest.isEmpty() ? null : new Conflicts(rest);
    }

    ApiException toApiException() {
        List<StatusCause> causes = new ArrayList<>();
        int count = 0;
        Map<String, List<String>> pathsByManager = new TreeMap<>();
        String single = null;
        for (Map.Entry<Key, FieldSet> e : byManager.entrySet()) {
            String manager = e.getKey().describe();
            for (List<PathElement> path : e.getValue().paths()) {
                String field = PathElement.render(path);
                causes.add(new StatusCauseBuilder().withReason("FieldManagerConflict")
                        .withMessage("conflict with " + manager).withField(field).build());
                pathsByManager.computeIfAbsent(manager, m -> new ArrayList<>()).add(field);
                single = "conflict with " + manager + ": " + field;
                count++;
            }
        }
        String message;
        if (count == 1) {
            message = "Apply failed with 1 conflict: " + single;
        } else {
            List<String> lines = new ArrayList<>();
            pathsByManager.forEach((manager, fields) -> {
                lines.add("conflicts with " + manager + ":");
                fields.forEach(f -> lines.add("- " + f));
            });
            message = "Apply failed with " + count + " conflicts: " + String.join("\n", lines);
        }
        ApiException e = ApiException.of(409, "Conflict", message);
        e.status().setDetails(new StatusDetailsBuilder().withCauses(causes).build());
        return e;
    }
}
