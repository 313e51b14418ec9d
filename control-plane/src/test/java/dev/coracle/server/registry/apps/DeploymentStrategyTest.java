package dev.coracle.server.registry.apps;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

import static dev.coracle.server.registry.Fixtures.CLOCK;
import static dev.coracle.server.registry.Fixtures.ago;
import static dev.coracle.server.registry.Fixtures.render;
import static dev.coracle.server.registry.Fixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

class DeploymentStrategyTest {

    private final DeploymentStrategy strategy = new DeploymentStrategy(CLOCK);

    private Deployment created(String spec) {
        Deployment d = yaml("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: default, creationTimestamp: "%s"}
                spec:
                %s
                """.formatted(ago(3600 * 5), spec.indent(2)), Deployment.class);
        strategy.applyDefaults(d);
        strategy.prepareForCreate(d);
        return d;
    }

    private static final String VALID = """
            selector: {matchLabels: {app: web}}
            template:
              metadata: {labels: {app: web}}
              spec:
                containers: [{name: web, image: nginx:1.27}]
            """;

    @Test
    void describesDeploymentsAsDiscoveryDoes() {
        assertThat(strategy.type().apiVersion()).isEqualTo("apps/v1");
        assertThat(strategy.type().shortNames()).containsExactly("deploy");
        assertThat(strategy.type().subresources()).containsExactly("status", "scale");
        assertThat(strategy.tracksGeneration()).isTrue();
    }

    @Test
    void defaultsMatchAppsV1() {
        Deployment d = created(VALID);
        var spec = d.getSpec();
        assertThat(spec.getReplicas()).isEqualTo(1);
        assertThat(spec.getStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(spec.getStrategy().getRollingUpdate().getMaxSurge().getStrVal()).isEqualTo("25%");
        assertThat(spec.getStrategy().getRollingUpdate().getMaxUnavailable().getStrVal()).isEqualTo("25%");
        assertThat(spec.getRevisionHistoryLimit()).isEqualTo(10);
        assertThat(spec.getProgressDeadlineSeconds()).isEqualTo(600);
        var pod = spec.getTemplate().getSpec();
        assertThat(pod.getRestartPolicy()).isEqualTo("Always");
        assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(30L);
        assertThat(pod.getEnableServiceLinks()).as("a Pod-only default").isNull();
        assertThat(pod.getContainers().get(0).getImagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(d.getMetadata().getGeneration()).isEqualTo(1L);
        assertThat(strategy.validate(d)).isEmpty();
    }

    @Test
    void replicasMustBeNonNegative() {
        Deployment d = created(VALID + "replicas: -1\n");
        assertThat(render(strategy.validate(d))).containsExactly("spec.replicas: Invalid value: -1: must be greater than or equal to 0");
    }

    @Test
    void templateContainersNeedImages() {
        Deployment d = created("""
                selector: {matchLabels: {app: web}}
                template:
                  metadata: {labels: {app: web}}
                  spec:
                    containers: [{name: web}]
                """);
        assertThat(render(strategy.validate(d))).containsExactly("spec.template.spec.containers[0].image: Required value");
    }

    @Test
    void selectorMustMatchTemplateLabels() {
        Deployment d = created("""
                selector: {matchLabels: {app: web}}
                template:
                  metadata: {labels: {app: api}}
                  spec:
                    containers: [{name: web, image: nginx:1.27}]
                """);
        assertThat(render(strategy.validate(d))).containsExactly(
                "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"api\"}: `selector` does not match template `labels`");
    }

    @Test
    void missingSelectorIsRequiredAndDoesNotMatch() {
        Deployment d = created("""
                template:
                  metadata: {labels: {app: web}}
                  spec:
                    containers: [{name: web, image: nginx:1.27}]
                """);
        assertThat(render(strategy.validate(d))).containsExactly(
                "spec.selector: Required value",
                "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`");
    }

    @Test
    void templateRestartPolicyMustBeAlways() {
        Deployment d = created(VALID);
        d.getSpec().getTemplate().getSpec().setRestartPolicy("Never");
        assertThat(render(strategy.validate(d))).containsExactly(
                "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"");
    }

    @Test
    void rollingUpdateParametersAreChecked() {
        Deployment d = created(VALID + """
                strategy:
                  rollingUpdate: {maxSurge: 0, maxUnavailable: "150%"}
                """);
        assertThat(render(strategy.validate(d))).containsExactly(
                "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"150%\"}: must not be greater than 100%");
        Deployment bad = created(VALID + "strategy: {type: Recreate, rollingUpdate: {maxSurge: 1}}\n");
        assertThat(render(strategy.validate(bad))).containsExactly(
                "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'");
        Deployment zero = created(VALID + "strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 0}}\n");
        assertThat(render(strategy.validate(zero))).containsExactly(
                "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}: may not be 0 when `maxSurge` is 0");
    }

    @Test
    void selectorIsImmutable() {
        Deployment old = created(VALID);
        Deployment now = created("""
                selector: {matchLabels: {app: web2}}
                template:
                  metadata: {labels: {app: web2}}
                  spec:
                    containers: [{name: web, image: nginx:1.27}]
                """);
        strategy.prepareForUpdate(now, old);
        assertThat(render(strategy.validateUpdate(now, old))).containsExactly(
                "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web2\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable");
    }

    @Test
    void updatesKeepStatusAndBumpGenerationOnSpecOrAnnotationChanges() {
        Deployment old = created(VALID);
        old.getStatus().setReplicas(1);
        Deployment same = created(VALID);
        same.getStatus().setReplicas(7);
        strategy.prepareForUpdate(same, old);
        assertThat(same.getStatus().getReplicas()).isEqualTo(1);
        assertThat(same.getMetadata().getGeneration()).isEqualTo(1L);

        Deployment scaled = created(VALID + "replicas: 3\n");
        strategy.prepareForUpdate(scaled, old);
        assertThat(scaled.getMetadata().getGeneration()).isEqualTo(2L);

        Deployment annotated = created(VALID);
        annotated.getMetadata().setAnnotations(java.util.Map.of("kubernetes.io/change-cause", "x"));
        strategy.prepareForUpdate(annotated, old);
        assertThat(annotated.getMetadata().getGeneration()).isEqualTo(2L);
    }

    @Test
    void statusUpdateKeepsSpecAndLabels() {
        Deployment old = created(VALID);
        old.getMetadata().setLabels(java.util.Map.of("team", "a"));
        Deployment now = created(VALID + "replicas: 9\n");
        now.getMetadata().setLabels(java.util.Map.of("team", "b"));
        now.getStatus().setReplicas(1);
        strategy.prepareForStatusUpdate(now, old);
        assertThat(now.getSpec().getReplicas()).isEqualTo(1);
        assertThat(now.getMetadata().getLabels()).containsEntry("team", "a");
        assertThat(now.getStatus().getReplicas()).isEqualTo(1);
        now.getStatus().setReadyReplicas(2);
        assertThat(render(strategy.validateStatusUpdate(now, old))).containsExactly(
                "status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas");
    }

    @Test
    void printsReadyUpToDateAvailable() {
        Deployment d = created(VALID + "replicas: 3\n");
        d.getStatus().setReadyReplicas(2);
        d.getStatus().setUpdatedReplicas(3);
        d.getStatus().setAvailableReplicas(2);
        assertThat(strategy.columns()).extracting(c -> c.getName())
                .containsExactly("Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector");
        assertThat(strategy.cells(d)).containsExactly("web", "2/3", 3L, 2L, "5h", "web", "nginx:1.27", "app=web");
    }
}
