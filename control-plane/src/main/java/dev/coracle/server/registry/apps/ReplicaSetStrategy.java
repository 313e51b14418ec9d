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
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.TableColumnDefinition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetSpec;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.coracle.server.registry.Validation.invalid;

/** apps/v1 replica sets, as {@code pkg/registry/apps/replicaset/strategy.go}, and the replica set printer. */
@Component
public class ReplicaSetStrategy extends BaseStrategy<ReplicaSet> {

    static final ResourceType TYPE = new ResourceType("apps", "v1", "ReplicaSet", "replicasets", "replicaset", true,
            List.of("rs"), List.of("all"), List.of("status", "scale"), ReplicaSet.class);

    public ReplicaSetStrategy() {
    }

    public ReplicaSetStrategy(Clock clock) {
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

    private static ReplicaSetSpec spec(ReplicaSet rs) {
        if (rs.getSpec() == null) {
            rs.setSpec(new ReplicaSetSpec());
        }
        return rs.getSpec();
    }

    /** {@code SetDefaults_ReplicaSet}: replicas 1; template defaults. */
    @Override
    public void applyDefaults(ReplicaSet rs) {
        ReplicaSetSpec spec = spec(rs);
        if (spec.getReplicas() == null) {
            spec.setReplicas(1);
        }
        if (spec.getTemplate() == null) {
            spec.setTemplate(new PodTemplateSpec());
        }
        PodSpecDefaults.defaultTemplate(spec.getTemplate());
    }

    @Override
    public void prepareForCreate(ReplicaSet rs) {
        rs.setStatus(new ReplicaSetStatus());
        if (rs.getMetadata() != null) {
            rs.getMetadata().setGeneration(1L);
        }
    }

    /** Status is kept; a spec change bumps the generation. */
    @Override
    public void prepareForUpdate(ReplicaSet rs, ReplicaSet old) {
        rs.setStatus(Semantic.copy(old.getStatus()));
        if (rs.getMetadata() != null && old.getMetadata() != null) {
            long oldGeneration = old.getMetadata().getGeneration() == null ? 0 : old.getMetadata().getGeneration();
            rs.getMetadata().setGeneration(Semantic.equal(rs.getSpec(), old.getSpec()) ? oldGeneration : oldGeneration + 1);
        }
    }

    @Override
    public void prepareForStatusUpdate(ReplicaSet rs, ReplicaSet old) {
        rs.setSpec(Semantic.copy(old.getSpec()));
    }

    /** {@code ValidateReplicaSetSpec}. */
    @Override
    public List<FieldError> validate(ReplicaSet rs) {
        List<FieldError> errs = new ArrayList<>();
        ReplicaSetSpec spec = spec(rs);
        errs.addAll(Validation.validateNonnegative(nz(spec.getReplicas()), "spec.replicas"));
        errs.addAll(Validation.validateNonnegative(nz(spec.getMinReadySeconds()), "spec.minReadySeconds"));
        errs.addAll(AppsValidation.validateSelectorAndTemplate(spec.getSelector(), spec.getTemplate(), "deployment", "ReplicaSet"));
        return errs;
    }

    /** {@code ValidateReplicaSetUpdate} plus apps/v1's selector immutability. */
    @Override
    public List<FieldError> validateUpdate(ReplicaSet rs, ReplicaSet old) {
        List<FieldError> errs = validate(rs);
        var selector = spec(rs).getSelector();
        if (!Semantic.equal(selector, spec(old).getSelector())) {
            errs.add(invalid("spec.selector", GoValues.raw(GoValues.labelSelector(selector)), Validation.FIELD_IMMUTABLE));
        }
        return errs;
    }

    /** {@code ValidateReplicaSetStatus}. */
    @Override
    public List<FieldError> validateStatusUpdate(ReplicaSet rs, ReplicaSet old) {
        List<FieldError> errs = new ArrayList<>();
        ReplicaSetStatus s = rs.getStatus() == null ? new ReplicaSetStatus() : rs.getStatus();
        errs.addAll(Validation.validateNonnegative(nz(s.getReplicas()), "status.replicas"));
        errs.addAll(Validation.validateNonnegative(nz(s.getFullyLabeledReplicas()), "status.fullyLabeledReplicas"));
        errs.addAll(Validation.validateNonnegative(nz(s.getReadyReplicas()), "status.readyReplicas"));
        errs.addAll(Validation.validateNonnegative(nz(s.getAvailableReplicas()), "status.availableReplicas"));
        errs.addAll(Validation.validateNonnegative(s.getObservedGeneration() == null ? 0 : s.getObservedGeneration(), "status.observedGeneration"));
        String msg = "cannot be greater than status.replicas";
        if (nz(s.getFullyLabeledReplicas()) > nz(s.getReplicas())) {
            errs.add(invalid("status.fullyLabeledReplicas", nz(s.getFullyLabeledReplicas()), msg));
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
        return errs;
    }

    @Override
    public Map<String, String> selectableFields(ReplicaSet rs) {
        return Map.of("status.replicas", String.valueOf(rs.getStatus() == null ? 0 : nz(rs.getStatus().getReplicas())));
    }

    @Override
    public List<TableColumnDefinition> columns() {
        return List.of(
                Tables.nameColumn(),
                Tables.column("Desired", "integer", "Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller"),
                Tables.column("Current", "integer", "Replicas is the most recently oberved number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller"),
                Tables.column("Ready", "integer", "The number of ready replicas for this replica set."),
                Tables.ageColumn(),
                Tables.wide("Containers", "string", Tables.CONTAINERS_DESCRIPTION),
                Tables.wide("Images", "string", Tables.IMAGES_DESCRIPTION),
                Tables.wide("Selector", "string", "Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors"));
    }

    /** {@code printReplicaSet}: DESIRED, CURRENT and READY as integers. */
    @Override
    public List<Object> cells(ReplicaSet rs) {
        ReplicaSetSpec spec = spec(rs);
        ReplicaSetStatus status = rs.getStatus() == null ? new ReplicaSetStatus() : rs.getStatus();
        String[] containers = Tables.containerCells(spec.getTemplate() == null || spec.getTemplate().getSpec() == null
                ? List.of() : spec.getTemplate().getSpec().getContainers());
        List<Object> cells = new ArrayList<>();
        cells.add(name(rs));
        cells.add((long) nz(spec.getReplicas()));
        cells.add((long) nz(status.getReplicas()));
        cells.add((long) nz(status.getReadyReplicas()));
        cells.add(age(rs));
        cells.add(containers[0]);
        cells.add(containers[1]);
        cells.add(LabelSelectors.format(spec.getSelector()));
        return cells;
    }
}
