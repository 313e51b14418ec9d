package dev.coracle.server.registry.policy;

import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.registry.BaseStrategy;
import dev.coracle.server.registry.GoValues;
import dev.coracle.server.registry.LabelSelectors;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.registry.Semantic;
import dev.coracle.server.registry.Tables;
import dev.coracle.server.registry.Validation;
import dev.coracle.server.registry.apps.AppsValidation;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.TableColumnDefinition;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static dev.coracle.server.registry.Validation.invalid;
import static dev.coracle.server.registry.Validation.notSupported;

/**
 * policy/v1 pod disruption budgets, as {@code pkg/registry/policy/poddisruptionbudget/strategy.go}, and their
 * printer: the status belongs to the disruption controller and the eviction subresource.
 */
@Component
public class PodDisruptionBudgetStrategy extends BaseStrategy<PodDisruptionBudget> {

    public static final ResourceType TYPE = new ResourceType("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets",
            "poddisruptionbudget", true, List.of("pdb"), List.of(), List.of("status"), PodDisruptionBudget.class);

    /** Evict a not-ready pod only while the budget is met (the default, nil), or always. */
    public static final String IF_HEALTHY_BUDGET = "IfHealthyBudget";
    public static final String ALWAYS_ALLOW = "AlwaysAllow";

    public PodDisruptionBudgetStrategy() {
    }

    public PodDisruptionBudgetStrategy(Clock clock) {
        super(clock);
    }

    @Override
    public ResourceType type() {
        return TYPE;
    }

    @Override
    public boolean tracksGeneration() {
        return true;
    }

    private static PodDisruptionBudgetSpec spec(PodDisruptionBudget pdb) {
        if (pdb.getSpec() == null) {
            pdb.setSpec(new PodDisruptionBudgetSpec());
        }
        return pdb.getSpec();
    }

    private static PodDisruptionBudgetStatus status(PodDisruptionBudget pdb) {
        return pdb.getStatus() == null ? new PodDisruptionBudgetStatus() : pdb.getStatus();
    }

    @Override
    public void prepareForCreate(PodDisruptionBudget pdb) {
        pdb.setStatus(new PodDisruptionBudgetStatus());
        pdb.getMetadata().setGeneration(1L);
    }

    /** Status is kept; a spec change bumps the generation (the budget is mutable since 1.15). */
    @Override
    public void prepareForUpdate(PodDisruptionBudget pdb, PodDisruptionBudget old) {
        pdb.setStatus(Semantic.copy(old.getStatus()));
        long oldGeneration = old.getMetadata().getGeneration() == null ? 0 : old.getMetadata().getGeneration();
        pdb.getMetadata().setGeneration(Semantic.equal(pdb.getSpec(), old.getSpec()) ? oldGeneration : oldGeneration + 1);
    }

    @Override
    public void prepareForStatusUpdate(PodDisruptionBudget pdb, PodDisruptionBudget old) {
        pdb.setSpec(Semantic.copy(old.getSpec()));
    }

    /** {@code ValidatePodDisruptionBudgetSpec}. */
    @Override
    public List<FieldError> validate(PodDisruptionBudget pdb) {
        List<FieldError> errs = new ArrayList<>();
        PodDisruptionBudgetSpec spec = spec(pdb);
        if (spec.getMinAvailable() != null && spec.getMaxUnavailable() != null) {
            errs.add(invalid("spec", GoValues.raw("{minAvailable: " + GoValues.intOrString(spec.getMinAvailable())
                    + ", maxUnavailable: " + GoValues.intOrString(spec.getMaxUnavailable()) + "}"),
                    "minAvailable and maxUnavailable cannot be both set"));
        }
        errs.addAll(intOrPercent(spec.getMinAvailable(), "spec.minAvailable"));
        errs.addAll(intOrPercent(spec.getMaxUnavailable(), "spec.maxUnavailable"));
        errs.addAll(Validation.validateLabelSelector(spec.getSelector(), "spec.selector"));
        String policy = spec.getUnhealthyPodEvictionPolicy();
        if (policy != null && !policy.equals(IF_HEALTHY_BUDGET) && !policy.equals(ALWAYS_ALLOW)) {
            errs.add(notSupported("spec.unhealthyPodEvictionPolicy", policy, List.of(ALWAYS_ALLOW, IF_HEALTHY_BUDGET)));
        }
        return errs;
    }

    private static List<FieldError> intOrPercent(IntOrString value, String path) {
        if (value == null) {
            return List.of();
        }
        List<FieldError> errs = new ArrayList<>(AppsValidation.validatePositiveIntOrPercent(value, path));
        errs.addAll(AppsValidation.validateNotMoreThan100Percent(value, path));
        return errs;
    }

    /** {@code ValidatePodDisruptionBudgetStatusUpdate}: the counters are never negative. */
    @Override
    public List<FieldError> validateStatusUpdate(PodDisruptionBudget pdb, PodDisruptionBudget old) {
        List<FieldError> errs = new ArrayList<>();
        PodDisruptionBudgetStatus s = status(pdb);
        errs.addAll(Validation.validateNonnegative(nz(s.getDisruptionsAllowed()), "status.disruptionsAllowed"));
        errs.addAll(Validation.validateNonnegative(nz(s.getCurrentHealthy()), "status.currentHealthy"));
        errs.addAll(Validation.validateNonnegative(nz(s.getDesiredHealthy()), "status.desiredHealthy"));
        errs.addAll(Validation.validateNonnegative(nz(s.getExpectedPods()), "status.expectedPods"));
        return errs;
    }

    /** policy/v1: a null selector selects nothing, an empty one every pod of the namespace. */
    public static boolean selects(PodDisruptionBudget pdb, Pod pod) {
        return pdb.getSpec() != null && pdb.getSpec().getSelector() != null
                && LabelSelectors.matches(pdb.getSpec().getSelector(), pod.getMetadata().getLabels());
    }

    @Override
    public List<TableColumnDefinition> columns() {
        return List.of(
                Tables.nameColumn(),
                Tables.column("Min Available", "string", "The minimum number or percentage of available pods this budget requires."),
                Tables.column("Max Unavailable", "string", "The maximum number or percentage of unavailable pods this budget requires."),
                Tables.column("Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time."),
                Tables.ageColumn());
    }

    @Override
    public List<Object> cells(PodDisruptionBudget pdb) {
        PodDisruptionBudgetSpec spec = spec(pdb);
        return List.of(name(pdb), orNotApplicable(spec.getMinAvailable()), orNotApplicable(spec.getMaxUnavailable()),
                (long) nz(status(pdb).getDisruptionsAllowed()), age(pdb));
    }

    private static String orNotApplicable(IntOrString value) {
        if (value == null) {
            return "N/A";
        }
        return value.getStrVal() != null ? value.getStrVal() : String.valueOf(nz(value.getIntVal()));
    }
}
