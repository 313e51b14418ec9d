package dev.coracle.server.controller;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.InternalClient;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.UUID;

/**
 * client-go's leader election on a Lease ({@code kube-system/kube-controller-manager}): the holder
 * renews it; another server takes it over once it has not been renewed for the lease duration.
 * Every write is a compare-and-swap on the Lease's resourceVersion, so two servers never both lead.
 */
final class LeaderElection {

    private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);
    static final String NAMESPACE = "kube-system";
    static final String NAME = "kube-controller-manager";

    private final InternalClient client;
    private final ControllerProperties properties;
    private final String identity;
    private volatile ZonedDateTime lastRenewed;

    LeaderElection(InternalClient client, ControllerProperties properties) {
        this.client = client;
        this.properties = properties;
        this.identity = hostname() + "_" + UUID.randomUUID();
    }

    String identity() {
        return identity;
    }

    /** One round: acquire or renew; true if this server leads after it. */
    boolean tryAcquireOrRenew() {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        try {
            Lease lease = client.get(Lease.class, NAMESPACE, NAME).orElse(null);
            if (lease == null) {
                client.create(new LeaseBuilder().withNewMetadata().withName(NAME).withNamespace(NAMESPACE).endMetadata()
                        .withNewSpec().withHolderIdentity(identity).withLeaseDurationSeconds(durationSeconds())
                        .withAcquireTime(now).withRenewTime(now).withLeaseTransitions(0).endSpec().build());
                return renewed(now, true);
            }
            var spec = lease.getSpec();
            boolean mine = identity.equals(spec.getHolderIdentity());
            boolean expired = spec.getRenewTime() == null || spec.getRenewTime()
                    .plusSeconds(spec.getLeaseDurationSeconds() == null ? durationSeconds() : spec.getLeaseDurationSeconds())
                    .isBefore(now);
            if (!mine && !expired && spec.getHolderIdentity() != null && !spec.getHolderIdentity().isEmpty()) {
                return false;
            }
            if (!mine) {
                spec.setHolderIdentity(identity);
                spec.setAcquireTime(now);
                spec.setLeaseTransitions(spec.getLeaseTransitions() == null ? 1 : spec.getLeaseTransitions() + 1);
            }
            spec.setLeaseDurationSeconds(durationSeconds());
            spec.setRenewTime(now);
            client.update(lease);
            return renewed(now, !mine);
        } catch (ApiException e) {
            if (e.code() != 409) {
                log.warn("leader election: {}", e.getMessage());
            }
            return stillValid(now);
        } catch (RuntimeException e) {
            log.warn("leader election failed: {}", e.toString());
            return stillValid(now);
        }
    }

    /** Gives the lease up on a clean shutdown, so another server takes over at once. */
    void release() {
        try {
            client.get(Lease.class, NAMESPACE, NAME).filter(l -> identity.equals(l.getSpec().getHolderIdentity())).ifPresent(l -> {
                l.getSpec().setHolderIdentity("");
                l.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC).minusYears(1));
                client.update(l);
            });
        } catch (RuntimeException e) {
            log.debug("could not release the lease: {}", e.toString());
        }
    }

    private boolean renewed(ZonedDateTime now, boolean acquired) {
        if (acquired) {
            log.info("became the leader of controllers and scheduler as {}", identity);
        }
        lastRenewed = now;
        return true;
    }

    /** A leader that cannot reach the store keeps leading only until its lease could have been taken. */
    private boolean stillValid(ZonedDateTime now) {
        return lastRenewed != null && lastRenewed.plus(properties.leaseDuration()).minus(properties.renewInterval()).isAfter(now);
    }

    private int durationSeconds() {
        return (int) Math.max(1, properties.leaseDuration().toSeconds());
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "coracle";
        }
    }
}
