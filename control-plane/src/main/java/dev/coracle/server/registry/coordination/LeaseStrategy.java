package dev.coracle.server.registry.coordination;

import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.registry.BaseStrategy;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.registry.Tables;
import io.fabric8.kubernetes.api.model.TableColumnDefinition;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static dev.coracle.server.registry.Validation.forbidden;
import static dev.coracle.server.registry.Validation.invalid;
import static dev.coracle.server.registry.Validation.notSupported;

/**
 * coordination.k8s.io/v1 leases, as {@code pkg/registry/coordination/lease/strategy.go} with the
 * CoordinatedLeaderElection feature off (its default in 1.32): {@code strategy} and {@code preferredHolder} are dropped.
 */
@Component
public class LeaseStrategy extends BaseStrategy<Lease> {

    static final ResourceType TYPE = new ResourceType("coordination.k8s.io", "v1", "Lease", "leases", "lease", true,
            List.of(), List.of(), List.of(), Lease.class);

    public LeaseStrategy() {
    }

    public LeaseStrategy(Clock clock) {
        super(clock);
    }

    @Override
    public ResourceType type() {
        return TYPE;
    }

    private static LeaseSpec spec(Lease lease) {
        if (lease.getSpec() == null) {
            lease.setSpec(new LeaseSpec());
        }
        return lease.getSpec();
    }

    @Override
    public void prepareForCreate(Lease lease) {
        spec(lease).setStrategy(null);
        spec(lease).setPreferredHolder(null);
    }

    @Override
    public void prepareForUpdate(Lease lease, Lease old) {
        LeaseSpec oldSpec = old.getSpec() == null ? new LeaseSpec() : old.getSpec();
        if (oldSpec.getStrategy() == null) {
            spec(lease).setStrategy(null);
        }
        if (oldSpec.getPreferredHolder() == null) {
            spec(lease).setPreferredHolder(null);
        }
    }

    /** {@code ValidateLeaseSpec}. */
    @Override
    public List<FieldError> validate(Lease lease) {
        List<FieldError> errs = new ArrayList<>();
        LeaseSpec spec = spec(lease);
        if (spec.getLeaseDurationSeconds() != null && spec.getLeaseDurationSeconds() <= 0) {
            errs.add(invalid("spec.leaseDurationSeconds", spec.getLeaseDurationSeconds(), "must be greater than 0"));
        }
        if (spec.getLeaseTransitions() != null && spec.getLeaseTransitions() < 0) {
            errs.add(invalid("spec.leaseTransitions", spec.getLeaseTransitions(), "must be greater than or equal to 0"));
        }
        if (spec.getStrategy() != null && !spec.getStrategy().equals("OldestEmulationVersion")) {
            errs.add(notSupported("spec.strategy", spec.getStrategy(), List.of("OldestEmulationVersion")));
        }
        if (spec.getPreferredHolder() != null && !spec.getPreferredHolder().isEmpty()
                && (spec.getStrategy() == null || spec.getStrategy().isEmpty())) {
            errs.add(forbidden("spec.preferredHolder", "may only be specified if `strategy` is defined"));
        }
        return errs;
    }

    @Override
    public List<TableColumnDefinition> columns() {
        return List.of(
                Tables.nameColumn(),
                Tables.column("Holder", "string", "holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field."),
                Tables.ageColumn());
    }

    @Override
    public List<Object> cells(Lease lease) {
        return List.of(name(lease), nz(spec(lease).getHolderIdentity()), age(lease));
    }
}
