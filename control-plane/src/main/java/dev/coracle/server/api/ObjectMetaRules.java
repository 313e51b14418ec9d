package dev.coracle.server.api;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;
import java.util.UUID;

/** What the API server sets in every object's metadata, whatever its kind (Kubernetes' rest.BeforeCreate/BeforeUpdate). */
final class ObjectMetaRules {

    private static final String ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";
    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * UIDs are random (version 4) as Kubernetes' are; drawn from a per-thread generator seeded from SecureRandom,
     * because SecureRandom itself, shared and locked, was a measurable part of every create.
     */
    private static final ThreadLocal<SplittableRandom> UID_BITS = ThreadLocal.withInitial(() -> new SplittableRandom(RANDOM.nextLong()));

    private ObjectMetaRules() {
    }

    static String now() {
        return DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }

    static void beforeCreate(HasMetadata object, boolean tracksGeneration) {
        ObjectMeta meta = object.getMetadata();
        if ((meta.getName() == null || meta.getName().isEmpty()) && meta.getGenerateName() != null && !meta.getGenerateName().isEmpty()) {
            meta.setName(generateName(meta.getGenerateName()));
        }
        meta.setUid(randomUid());
        meta.setCreationTimestamp(now());
        meta.setResourceVersion(null);
        meta.setDeletionTimestamp(null);
        meta.setDeletionGracePeriodSeconds(null);
        meta.setSelfLink(null);
        meta.setGeneration(tracksGeneration ? 1L : null);
    }

    static String randomUid() {
        SplittableRandom bits = UID_BITS.get();
        long high = (bits.nextLong() & ~0xF000L) | 0x4000L;
        long low = (bits.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    /** Like Kubernetes' SimpleNameGenerator: the prefix (cut to fit 63 characters) and five random characters. */
    static String generateName(String base) {
        String prefix = base.length() > 58 ? base.substring(0, 58) : base;
        StringBuilder sb = new StringBuilder(prefix);
        for (int i = 0; i < 5; i++) {
            sb.append(ALPHANUMS.charAt(RANDOM.nextInt(ALPHANUMS.length())));
        }
        return sb.toString();
    }

    /** Keeps what a client may not change on update: uid, creation time, deletion marks, generation. */
    static void beforeUpdate(HasMetadata object, HasMetadata old) {
        ObjectMeta meta = object.getMetadata();
        ObjectMeta was = old.getMetadata();
        meta.setUid(was.getUid());
        meta.setCreationTimestamp(was.getCreationTimestamp());
        meta.setDeletionTimestamp(was.getDeletionTimestamp());
        meta.setDeletionGracePeriodSeconds(was.getDeletionGracePeriodSeconds());
        meta.setGeneration(was.getGeneration());
        meta.setSelfLink(null);
        if (meta.getGenerateName() == null) {
            meta.setGenerateName(was.getGenerateName());
        }
    }
}
