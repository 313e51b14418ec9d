package dev.coracle.server.api;

import org.junit.jupiter.api.Test;

import java.util.function.BiPredicate;

import static org.assertj.core.api.Assertions.assertThat;

class RequestInfoTest {

    private static final BiPredicate<String, String> NAMESPACED = (gv, plural) -> !plural.equals("status") && !plural.equals("finalize");

    @Test
    void aNamespacedSubresourcePathNamesEveryPart() {
        assertThat(RequestInfo.parse("/api/v1/namespaces/default/pods/web/status", NAMESPACED))
                .isEqualTo(new RequestInfo("", "v1", "default", "pods", "web", "status", false));
        assertThat(RequestInfo.parse("/apis/apps/v1/namespaces/prod/deployments/web/scale", NAMESPACED))
                .isEqualTo(new RequestInfo("apps", "v1", "prod", "deployments", "web", "scale", false));
    }

    @Test
    void repeatedAndTrailingSlashesAreIgnoredAsKubernetesDoes() {
        assertThat(RequestInfo.parse("//api//v1/namespaces/default/pods/", NAMESPACED))
                .isEqualTo(new RequestInfo("", "v1", "default", "pods", null, null, false));
    }

    @Test
    void aNamespaceSubresourceIsNotReadAsANamespace() {
        assertThat(RequestInfo.parse("/api/v1/namespaces/team/status", NAMESPACED))
                .isEqualTo(new RequestInfo("", "v1", null, "namespaces", "team", "status", false));
    }

    @Test
    void theLegacyWatchPrefixIsRecognised() {
        assertThat(RequestInfo.parse("/api/v1/watch/namespaces/default/pods", NAMESPACED))
                .isEqualTo(new RequestInfo("", "v1", "default", "pods", null, null, true));
    }

    @Test
    void pathsOutsideTheApiAreNotResourcePaths() {
        assertThat(RequestInfo.parse("/", NAMESPACED)).isNull();
        assertThat(RequestInfo.parse("/healthz", NAMESPACED)).isNull();
        assertThat(RequestInfo.parse("/api/v1/namespaces/a/pods/b/c/d", NAMESPACED)).isNull();
    }

    @Test
    void segmentsAndTrailingSlashes() {
        assertThat(RequestInfo.segments("//apis/metrics.k8s.io//v1beta1/nodes/")).containsExactly("apis", "metrics.k8s.io", "v1beta1", "nodes");
        assertThat(RequestInfo.segments("")).isEmpty();
        assertThat(RequestInfo.withoutTrailingSlashes("/healthz//")).isEqualTo("/healthz");
        assertThat(RequestInfo.withoutTrailingSlashes("/")).isEmpty();
    }
}
