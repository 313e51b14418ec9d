package dev.coracle.server.patch;

import dev.coracle.server.api.ApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.coracle.server.patch.Kube.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PatchTypeTest {

    @ParameterizedTest
    @CsvSource({
            "application/json-patch+json, JSON_PATCH",
            "application/merge-patch+json, MERGE_PATCH",
            "application/strategic-merge-patch+json, STRATEGIC_MERGE_PATCH",
            "application/apply-patch+yaml, APPLY_PATCH",
            "'application/merge-patch+json; charset=utf-8', MERGE_PATCH",
            "Application/Apply-Patch+YAML, APPLY_PATCH"})
    void recognisesTheFourPatchContentTypes(String contentType, PatchType expected) {
        assertThat(PatchType.fromContentType(contentType)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"application/json", "text/plain", "''"})
    void anyOtherContentTypeIs415(String contentType) {
        assertThatThrownBy(() -> PatchType.fromContentType(contentType))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(415);
                    assertThat(e.getMessage()).isEqualTo("the body of the request was in an unknown format - accepted media types include: "
                            + "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, "
                            + "application/apply-patch+yaml");
                });
        assertThatThrownBy(() -> PatchType.fromContentType(null)).isInstanceOf(ApiException.class);
    }

    @Test
    void patcherDispatchesByType() {
        assertThat(Patcher.patch(PatchType.MERGE_PATCH, Kube.deployment(), body("{'spec':{'replicas':2}}"), Kube.DEPLOYMENTS)
                .at("/spec/replicas").asInt()).isEqualTo(2);
        assertThat(Patcher.patch(PatchType.JSON_PATCH, Kube.deployment(), body("[{'op':'replace','path':'/spec/replicas','value':4}]"),
                Kube.DEPLOYMENTS).at("/spec/replicas").asInt()).isEqualTo(4);
        assertThat(Patcher.patch(PatchType.STRATEGIC_MERGE_PATCH, Kube.deployment(), body("{'spec':{'replicas':5}}"), Kube.DEPLOYMENTS)
                .at("/spec/replicas").asInt()).isEqualTo(5);
        assertThatThrownBy(() -> Patcher.patch(PatchType.APPLY_PATCH, Kube.deployment(), body("{}"), Kube.DEPLOYMENTS))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
