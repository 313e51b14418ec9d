package dev.coracle.server.controller.deployment;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The pod-template-hash: Kubernetes' encoding, stable across null and empty fields, ignoring its own label. */
class DeploymentTemplateHashTest {

    private static PodTemplateSpec template(String image) {
        return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("web").withImage(image).endContainer().endSpec().build();
    }

    @Test
    void digitsAreEncodedAsRandSafeEncodeStringDoes() {
        assertThat(PodTemplateHash.safeEncode("0123456789")).isEqualTo("456789bcdf");
    }

    @Test
    void theHashIsTheEncodedDecimalOfFnv32aAndUsesOnlySafeCharacters() {
        String hash = PodTemplateHash.compute(template("nginx:1.25"), null);
        assertThat(hash).matches("[bcdfghjklmnpqrstvwxz2456789]{1,10}").isEqualTo(PodTemplateHash.compute(template("nginx:1.25"), null));
        assertThat(PodTemplateHash.compute(template("nginx:1.26"), null)).isNotEqualTo(hash);
    }

    @Test
    void aCollisionCountGivesANewHash() {
        PodTemplateSpec t = template("nginx:1.25");
        assertThat(PodTemplateHash.compute(t, 1)).isNotEqualTo(PodTemplateHash.compute(t, null)).isNotEqualTo(PodTemplateHash.compute(t, 2));
        assertThat(PodTemplateHash.compute(t, 0)).isNotEqualTo(PodTemplateHash.compute(t, null));
    }

    @Test
    void nullAndEmptyFieldsHashAlike() {
        PodTemplateSpec bare = template("nginx:1.25");
        PodTemplateSpec explicit = template("nginx:1.25");
        explicit.getMetadata().setAnnotations(new HashMap<>());
        explicit.getSpec().setVolumes(new ArrayList<>());
        explicit.getSpec().setNodeSelector(new HashMap<>());
        explicit.getSpec().getContainers().get(0).setEnv(new ArrayList<>());
        explicit.getSpec().getContainers().get(0).setResources(new io.fabric8.kubernetes.api.model.ResourceRequirements());
        assertThat(PodTemplateHash.compute(explicit, null)).isEqualTo(PodTemplateHash.compute(bare, null));
        assertThat(PodTemplateHash.equalIgnoreHash(explicit, bare)).isTrue();
    }

    @Test
    void theHashLabelItselfIsIgnoredWhenComparing() {
        PodTemplateSpec withHash = template("nginx:1.25");
        withHash.getMetadata().getLabels().put(PodTemplateHash.LABEL, "abc12");
        assertThat(PodTemplateHash.equalIgnoreHash(withHash, template("nginx:1.25"))).isTrue();
        assertThat(PodTemplateHash.compute(withHash, null)).isEqualTo(PodTemplateHash.compute(template("nginx:1.25"), null));
        assertThat(PodTemplateHash.equalIgnoreHash(withHash, template("nginx:1.26"))).isFalse();
    }
}
