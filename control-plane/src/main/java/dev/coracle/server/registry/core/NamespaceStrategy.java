package dev.coracle.server.registry.core;

import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.registry.BaseStrategy;
import dev.coracle.server.registry.NameRule;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.registry.Semantic;
import dev.coracle.server.registry.Tables;
import dev.coracle.server.registry.Validation;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceSpec;
import io.fabric8.kubernetes.api.model.NamespaceStatus;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.TableColumnDefinition;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.coracle.server.registry.Validation.invalid;

/** core/v1 namespaces, as {@code pkg/registry/core/namespace/strategy.go}. */
@Component
public class NamespaceStrategy extends BaseStrategy<Namespace> {

    static final ResourceType TYPE = new ResourceType("", "v1", "Namespace", "namespaces", "namespace", false,
            List.of("ns"), List.of(), List.of("status", "finalize"), Namespace.class);

    /** The label every namespace carries with its own name. */
    public static final String NAME_LABEL = "kubernetes.io/metadata.name";
    public static final String KUBERNETES_FINALIZER = "kubernetes";

    public NamespaceStrategy() {
    }

    public NamespaceStrategy(Clock clock) {
        super(clock);
    }

    @Override
    public ResourceType type() {
        return TYPE;
    }

    @Override
    public NameRule nameRule() {
        return NameRule.DNS1123_LABEL;
    }

    /** {@code SetDefaults_Namespace} (the name label) and {@code SetDefaults_NamespaceStatus} (phase Active). */
    @Override
    public void applyDefaults(Namespace ns) {
        labelWithName(ns);
        if (ns.getStatus() == null) {
            ns.setStatus(new NamespaceStatus());
        }
        if (ns.getStatus().getPhase() == null || ns.getStatus().getPhase().isEmpty()) {
            ns.getStatus().setPhase("Active");
        }
    }

    private static void labelWithName(Namespace ns) {
        ObjectMeta meta = ns.getMetadata();
        if (meta != null && meta.getName() != null && !meta.getName().isEmpty()) {
            Map<String, String> labels = meta.getLabels() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(meta.getLabels());
            labels.put(NAME_LABEL, meta.getName());
            meta.setLabels(labels);
        }
    }

    /** Status is Active; the {@code kubernetes} finalizer is always present on a new namespace. */
    @Override
    public void prepareForCreate(Namespace ns) {
        NamespaceStatus status = new NamespaceStatus();
        status.setPhase("Active");
        ns.setStatus(status);
        if (ns.getSpec() == null) {
            ns.setSpec(new NamespaceSpec());
        }
        List<String> finalizers = new ArrayList<>(ns.getSpec().getFinalizers());
        if (!finalizers.contains(KUBERNETES_FINALIZER)) {
            finalizers.add(KUBERNETES_FINALIZER);
        }
        ns.getSpec().setFinalizers(finalizers);
        labelWithName(ns);
    }

    /** Spec finalizers change only through /finalize and status only through /status. */
    @Override
    public void prepareForUpdate(Namespace ns, Namespace old) {
        if (ns.getSpec() == null) {
            ns.setSpec(new NamespaceSpec());
        }
        ns.getSpec().setFinalizers(old.getSpec() == null ? new ArrayList<>() : new ArrayList<>(old.getSpec().getFinalizers()));
        ns.setStatus(Semantic.copy(old.getStatus()));
        labelWithName(ns);
    }

    @Override
    public void prepareForStatusUpdate(Namespace ns, Namespace old) {
        ns.setSpec(Semantic.copy(old.getSpec()));
        labelWithName(ns);
    }

    /** The {@code finalize} subresource: only spec.finalizers change. */
    public void prepareForFinalize(Namespace ns, Namespace old) {
        ns.setStatus(Semantic.copy(old.getStatus()));
    }

    @Override
    public List<FieldError> validate(Namespace ns) {
        List<FieldError> errs = new ArrayList<>();
        List<String> finalizers = ns.getSpec() == null ? List.of() : ns.getSpec().getFinalizers();
        for (String f : finalizers) {
            errs.addAll(Validation.validateQualifiedName(f, "spec.finalizers"));
            errs.addAll(Validation.validateKubeFinalizerName(f, "spec.finalizers"));
        }
        return errs;
    }

    @Override
    public List<FieldError> validateUpdate(Namespace ns, Namespace old) {
        return List.of();
    }

    /** The phase must be Active while not deleted, Terminating once deletion started. */
    @Override
    public List<FieldError> validateStatusUpdate(Namespace ns, Namespace old) {
        String phase = ns.getStatus() == null || ns.getStatus().getPhase() == null ? "" : ns.getStatus().getPhase();
        boolean deleting = ns.getMetadata() != null && ns.getMetadata().getDeletionTimestamp() != null;
        if (!deleting && !phase.equals("Active")) {
            return List.of(invalid("status.Phase", phase, "may only be 'Active' if `deletionTimestamp` is empty"));
        }
        if (deleting && !phase.equals("Terminating")) {
            return List.of(invalid("status.Phase", phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"));
        }
        return List.of();
    }

    /** Finalizer names on the {@code finalize} subresource. */
    public List<FieldError> validateFinalize(Namespace ns, Namespace old) {
        List<FieldError> errs = new ArrayList<>();
        List<String> finalizers = ns.getSpec() == null ? List.of() : ns.getSpec().getFinalizers();
        for (int i = 0; i < finalizers.size(); i++) {
            String p = Validation.index("spec.finalizers", i);
            errs.addAll(Validation.validateQualifiedName(finalizers.get(i), p));
            errs.addAll(Validation.validateKubeFinalizerName(finalizers.get(i), p));
        }
        return errs;
    }

    /** A deleted namespace turns Terminating until the namespace controller has emptied it and finalized it. */
    @Override
    public void markDeleting(Namespace ns) {
        if (ns.getStatus() == null) {
            ns.setStatus(new io.fabric8.kubernetes.api.model.NamespaceStatus());
        }
        ns.getStatus().setPhase("Terminating");
    }

    @Override
    public boolean holdsDeletion(Namespace ns) {
        return ns.getSpec() != null && ns.getSpec().getFinalizers() != null && !ns.getSpec().getFinalizers().isEmpty();
    }

    @Override
    public Map<String, String> selectableFields(Namespace ns) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("status.phase", ns.getStatus() == null ? "" : nz(ns.getStatus().getPhase()));
        fields.put("name", name(ns));
        return fields;
    }

    @Override
    public List<TableColumnDefinition> columns() {
        return List.of(Tables.nameColumn(), Tables.column("Status", "string", "The status of the namespace"), Tables.ageColumn());
    }

    @Override
    public List<Object> cells(Namespace ns) {
        return List.of(name(ns), ns.getStatus() == null ? "" : nz(ns.getStatus().getPhase()), age(ns));
    }
}
