package dev.coracle.server.registry.apps;

import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.registry.BaseStrategy;
import dev.coracle.server.registry.GoValues;
import dev.coracle.server.registry.LabelSelectors;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.registry.Semantic;
import dev.coracle.server.registry.Tables;
import dev.coracle.server.registry.Validation;
import dev.coracle.server.registry.core.PodSpecDefaults;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.TableColumnDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static dev.coracle.server.registry.Validation.forbidden;
import static dev.coracle.server.registry.Validation.invalid;
import static dev.coracle.server.registry.Validation.notSupported;
import static dev.coracle.server.registry.Validation.required;

/** apps/v1 deployments, as {@code pkg/registry/apps/deployment/strategy.go}, and the deployment printer. */
@Component("deploymentStrategy")
public class DeploymentStrategy extends BaseStrategy<Deployment> {

    static final ResourceType TYPE = new ResourceType("apps", "v1", "Deployment", "deployments", "deployment", true,
            List.of("deploy"), List.of("all"), List.of("status", "scale"), Deployment.class);

    public DeploymentStrategy() {
    }

    public DeploymentStrategy(Clock clock) {
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

    private static DeploymentSpec spec(Deployment d) {
        if (d.getSpec() == null) {
            d.setSpec(new DeploymentSpec());
        }
        return d.getSpec();
    }

    /** {@code SetDefaults_Deployment}: replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600; template defaults. */
    @Override
    public void applyDefaults(Deployment d) {
        DeploymentSpec spec = spec(d);
        if (spec.getReplicas() == null) {
            spec.setReplicas(1);
        }
        if (spec.getStrategy() == null) {
            spec.setStrategy(new io.fabric8.kubernetes.api.model.apps.DeploymentStrategy());
        }
        io.fabric8.kubernetes.api.model.apps.DeploymentStrategy strategy = spec.getStrategy();
        if (strategy.getType() == null || strategy.getType().isEmpty()) {
            strategy.setType("RollingUpdate");
        }
        if (strategy.getType().equals("RollingUpdate")) {
            if (strategy.getRollingUpdate() == null) {
                strategy.setRollingUpdate(new RollingUpdateDeployment());
            }
            if (strategy.getRollingUpdate().getMaxUnavailable() == null) {
                strategy.getRollingUpdate().setMaxUnavailable(new IntOrString("25%"));
            }
            if (strategy.getRollingUpdate().getMaxSurge() == null) {
                strategy.getRollingUpdate().setMaxSurge(new IntOrString("25%"));
            }
        }
        if (spec.getRevisionHistoryLimit() == null) {
            spec.setRevisionHistoryLimit(10);
        }
        if (spec.getProgressDeadlineSeconds() == null) {
            spec.setProgressDeadlineSeconds(600);
        }
        if (spec.getTemplate() == null) {
            spec.setTemplate(new PodTemplateSpec());
        }
        PodSpecDefaults.defaultTemplate(spec.getTemplate());
    }

    /** Status is dropped and generation starts at 1. */
    @Override
    public void prepareForCreate(Deployment d) {
        d.setStatus(new DeploymentStatus());
        if (d.getMetadata() != null) {
            d.getMetadata().setGeneration(1L);
        }
    }

    /** Status is kept; a spec or annotation change bumps the generation (annotations are copied to replica sets). */
    @Override
    public void prepareForUpdate(Deployment d, Deployment old) {
        d.setStatus(Semantic.copy(old.getStatus()));
        boolean specChanged = !Semantic.equal(d.getSpec(), old.getSpec());
        boolean annotationsChanged = !Semantic.equal(annotations(d), annotations(old));
        if (d.getMetadata() != null && old.getMetadata() != null) {
            long oldGeneration = old.getMetadata().getGeneration() == null ? 0 : old.getMetadata().getGeneration();
            d.getMetadata().setGeneration(specChanged || annotationsChanged ? oldGeneration + 1 : oldGeneration);
        }
    }

    private static Object annotations(Deployment d) {
        return d.getMetadata() == null ? null : d.getMetadata().getAnnotations();
    }

    /** Spec and labels are kept. */
    @Override
    public void prepareForStatusUpdate(Deployment d, Deployment old) {
        d.setSpec(Semantic.copy(old.getSpec()));
        if (d.getMetadata() != null && old.getMetadata() != null) {
            d.getMetadata().setLabels(old.getMetadata().getLabels());
        }
    }

    /** {@code ValidateDeploymentSpec}. */
    @Override
    public List<FieldError> validate(Deployment d) {
        List<FieldError> errs = new ArrayList<>();
        DeploymentSpec spec = spec(d);
        errs.addAll(Validation.validateNonnegative(nz(spec.getReplicas()), "spec.replicas"));
        errs.addAll(AppsValidation.validateSelectorAndTemplate(spec.getSelector(), spec.getTemplate(), "deployment", "ReplicaSet"));
        errs.addAll(validateStrategy(spec.getStrategy()));
        errs.addAll(Validation.validateNonnegative(nz(spec.getMinReadySeconds()), "spec.minReadySeconds"));
        if (spec.getRevisionHistoryLimit() != null) {
            errs.addAll(Validation.validateNonnegative(spec.getRevisionHistoryLimit(), "spec.revisionHistoryLimit"));
        }
        if (spec.getProgressDeadlineSeconds() != null) {
            errs.addAll(Validation.validateNonnegative(spec.getProgressDeadlineSeconds(), "spec.progressDeadlineSeconds"));
            if (spec.getProgressDeadlineSeconds() <= nz(spec.getMinReadySeconds())) {
                errs.add(invalid("spec.progressDeadlineSeconds", spec.getProgressDeadlineSeconds(), "must be greater than minReadySeconds"));
            }
        }
        return errs;
    }

    private static List<FieldError> validateStrategy(io.fabric8.kubernetes.api.model.apps.DeploymentStrategy strategy) {
        List<FieldError> errs = new ArrayList<>();
        String type = strategy == null ? "" : nz(strategy.getType());
        RollingUpdateDeployment ru = strategy == null ? null : strategy.getRollingUpdate();
        switch (type) {
            case "Recreate" -> {
                if (ru != null) {
                    errs.add(forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"));
                }
            }
            case "RollingUpdate" -> {
                if (ru == null) {
                    errs.add(required("spec.strategy.rollingUpdate", "this should be defaulted and never be nil"));
                } else {
                    errs.addAll(AppsValidation.validatePositiveIntOrPercent(ru.getMaxUnavailable(), "spec.strategy.rollingUpdate.maxUnavailable"));
                    errs.addAll(AppsValidation.validatePositiveIntOrPercent(ru.getMaxSurge(), "spec.strategy.rollingUpdate.maxSurge"));
                    if (AppsValidation.intOrPercentValue(ru.getMaxUnavailable()) == 0 && AppsValidation.intOrPercentValue(ru.getMaxSurge()) == 0) {
                        errs.add(invalid("spec.strategy.rollingUpdate.maxUnavailable", GoValues.raw(GoValues.intOrString(ru.getMaxUnavailable())),
                                "may not be 0 when `maxSurge` is 0"));
                    }
                    errs.addAll(AppsValidation.validateNotMoreThan100Percent(ru.getMaxUnavailable(), "spec.strategy.rollingUpdate.maxUnavailable"));
                }
            }
            default -> errs.add(notSupported("spec.strategy", GoValues.raw("apps.DeploymentStrategy{Type:" + GoValues.quote(type)
                    + ", RollingUpdate:(*apps.RollingUpdateDeployment)(" + (ru == null ? "nil" : "0xc000000000") + ")}"),
                    List.of("Recreate", "RollingUpdate")));
        }
        return errs;
    }

    /** {@code ValidateDeploymentUpdate} plus apps/v1's selector immutability. */
    @Override
    public List<FieldError> validateUpdate(Deployment d, Deployment old) {
        List<FieldError> errs = validate(d);
        var selector = spec(d).getSelector();
        var oldSelector = spec(old).getSelector();
        if (!Semantic.equal(selector, oldSelector)) {
            errs.add(invalid("spec.selector", GoValues.raw(GoValues.labelSelector(selector)), Validation.FIELD_IMMUTABLE));
        }
        return errs;
    }

    /** {@code ValidateDeploymentStatusUpdate}. */
    @Override
    public List<FieldError> validateStatusUpdate(Deployment d, Deployment old) {
        List<FieldError> errs = new ArrayList<>();
        DeploymentStatus s = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
        errs.addAll(Validation.validateNonnegative(s.getObservedGeneration() == null ? 0 : s.getObservedGeneration(), "status.observedGeneration"));
        errs.addAll(Validation.validateNonnegative(nz(s.getReplicas()), "status.replicas"));
        errs.addAll(Validation.validateNonnegative(nz(s.getUpdatedReplicas()), "status.updatedReplicas"));
        errs.addAll(Validation.validateNonnegative(nz(s.getReadyReplicas()), "status.readyReplicas"));
        errs.addAll(Validation.validateNonnegative(nz(s.getAvailableReplicas()), "status.availableReplicas"));
        errs.addAll(Validation.validateNonnegative(nz(s.getUnavailableReplicas()), "status.unavailableReplicas"));
        if (s.getCollisionCount() != null) {
            errs.addAll(Validation.validateNonnegative(s.getCollisionCount(), "status.collisionCount"));
        }
        String msg = "cannot be greater than status.replicas";
        if (nz(s.getUpdatedReplicas()) > nz(s.getReplicas())) {
            errs.add(invalid("status.updatedReplicas", nz(s.getUpdatedReplicas()), msg));
        }
        if (nz(s.getReadyReplicas()) > nz(s.getReplicas())) {
            errs.add(invalid("status.readyReplicas", nz(s.getReadyReplicas()), msg));
        }
        if (nz(s.getAvailableReplicas()) > nz(s.getReplicas())) {
            errs.add(invalid("status.availableReplicas", nz(s.getAvailableReplicas()), msg));
        }
        if (nz(s.getAvailableReplicas()) > nz(s.getReadyReplicas())) {
            errs.add(invalid("status.availableReplicas", nz(s.getAvailableReplicas()), "cannot be greater than readyReplicas"));
        }
        Integer cc = s.getCollisionCount();
        Integer oldCc = old.getStatus() == null ? null : old.getStatus().getCollisionCount();
        if ((cc == null && oldCc != null) || (cc != null && oldCc != null && cc < oldCc)) {
            errs.add(invalid("status.collisionCount", cc == null ? 0 : cc, "cannot be decremented"));
        }
        return errs;
    }

    @Override
    public List<TableColumnDefinition> columns() {
        return List.of(
                Tables.nameColumn(),
                Tables.column("Ready", "string", "Number of the pod with ready state"),
                Tables.column("Up-to-date", "string", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
                Tables.column("Available", "string", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
                Tables.ageColumn(),
                Tables.wide("Containers", "string", Tables.CONTAINERS_DESCRIPTION),
                Tables.wide("Images", "string", Tables.IMAGES_DESCRIPTION),
                Tables.wide("Selector", "string", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment."));
    }

    /** {@code printDeployment}: READY as ready/desired, UP-TO-DATE and AVAILABLE as integers. */
    @Override
    public List<Object> cells(Deployment d) {
        DeploymentSpec spec = spec(d);
        DeploymentStatus status = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
        String[] containers = Tables.containerCells(spec.getTemplate() == null || spec.getTemplate().getSpec() == null
                ? List.of() : spec.getTemplate().getSpec().getContainers());
        String selector = spec.getSelector() != null && !LabelSelectors.isValid(spec.getSelector()) ? "<invalid>" : LabelSelectors.toSelectorString(spec.getSelector());
        List<Object> cells = new ArrayList<>();
        cells.add(name(d));
        cells.add(nz(status.getReadyReplicas()) + "/" + nz(spec.getReplicas()));
        cells.add((long) nz(status.getUpdatedReplicas()));
        cells.add((long) nz(status.getAvailableReplicas()));
        cells.add(age(d));
        cells.add(containers[0]);
        cells.add(containers[1]);
        cells.add(selector);
        return cells;
    }
}
