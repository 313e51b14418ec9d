package dev.coracle.server.registry.apps;

import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.registry.GoValues;
import dev.coracle.server.registry.LabelSelectors;
import dev.coracle.server.registry.Validation;
import dev.coracle.server.registry.core.PodSpecValidation;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.coracle.server.registry.Validation.forbidden;
import static dev.coracle.server.registry.Validation.invalid;
import static dev.coracle.server.registry.Validation.notSupported;
import static dev.coracle.server.registry.Validation.required;

/** {@code pkg/apis/apps/validation} pieces shared by Deployment and ReplicaSet. */
public final class AppsValidation {

    private AppsValidation() {
    }

    /**
     * The selector checks of {@code ValidateDeploymentSpec}/{@code ValidateReplicaSetSpec} and
     * {@code ValidatePodTemplateSpecForReplicaSet}: required and non-empty, matching the template labels,
     * the template valid with restartPolicy Always and no activeDeadlineSeconds.
     */
    public static List<FieldError> validateSelectorAndTemplate(LabelSelector selector, PodTemplateSpec template, String kindLower, String kind) {
        List<FieldError> errs = new ArrayList<>();
        if (selector == null) {
            errs.add(required("spec.selector"));
        } else {
            errs.addAll(Validation.validateLabelSelector(selector, "spec.selector"));
            if (LabelSelectors.isEmpty(selector)) {
                errs.add(invalid("spec.selector", GoValues.raw(GoValues.labelSelector(selector)), "empty selector is invalid for " + kindLower));
            }
        }
        if (selector != null && !LabelSelectors.isValid(selector)) {
            errs.add(invalid("spec.selector", GoValues.raw(GoValues.labelSelector(selector)), "invalid label selector"));
            return errs;
        }
        PodTemplateSpec t = template == null ? new PodTemplateSpec() : template;
        Map<String, String> labels = t.getMetadata() == null ? null : t.getMetadata().getLabels();
        boolean selectorEmpty = selector != null && LabelSelectors.isEmpty(selector);
        if (!selectorEmpty && !LabelSelectors.matches(selector, labels)) {
            errs.add(invalid("spec.template.metadata.labels", GoValues.raw(GoValues.stringMap(labels)), "`selector` does not match template `labels`"));
        }
        errs.addAll(PodSpecValidation.validatePodTemplateSpec(t, "spec.template"));
        String restartPolicy = t.getSpec() == null || t.getSpec().getRestartPolicy() == null ? "" : t.getSpec().getRestartPolicy();
        if (!restartPolicy.equals("Always")) {
            errs.add(notSupported("spec.template.spec.restartPolicy", restartPolicy, List.of("Always")));
        }
        if (t.getSpec() != null && t.getSpec().getActiveDeadlineSeconds() != null) {
            errs.add(forbidden("spec.template.spec.activeDeadlineSeconds", "activeDeadlineSeconds in " + kind + " is not Supported"));
        }
        return errs;
    }

    /** {@code ValidatePositiveIntOrPercent}. */
    public static List<FieldError> validatePositiveIntOrPercent(IntOrString value, String path) {
        List<FieldError> errs = new ArrayList<>();
        if (value != null && value.getStrVal() != null) {
            for (String m : Validation.isValidPercent(value.getStrVal())) {
                errs.add(invalid(path, GoValues.raw(GoValues.intOrString(value)), m));
            }
        } else {
            errs.addAll(Validation.validateNonnegative(intValue(value), path));
        }
        return errs;
    }

    /** {@code getIntOrPercentValue}: the percentage number or the integer; 0 for a malformed percentage. */
    public static int intOrPercentValue(IntOrString value) {
        if (value != null && value.getStrVal() != null) {
            String s = value.getStrVal();
            if (Validation.isValidPercent(s).isEmpty()) {
                try {
                    return Integer.parseInt(s.substring(0, s.length() - 1));
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
            return 0;
        }
        return intValue(value);
    }

    private static int intValue(IntOrString value) {
        return value == null || value.getIntVal() == null ? 0 : value.getIntVal();
    }

    /** {@code IsNotMoreThan100Percent}. */
    public static List<FieldError> validateNotMoreThan100Percent(IntOrString value, String path) {
        if (value != null && value.getStrVal() != null && Validation.isValidPercent(value.getStrVal()).isEmpty()
                && intOrPercentValue(value) > 100) {
            return List.of(invalid(path, GoValues.raw(GoValues.intOrString(value)), "must not be greater than 100%"));
        }
        return List.of();
    }

}
