package dev.coracle.server.registry;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.coracle.server.registry.Fixtures.render;
import static dev.coracle.server.registry.Fixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

class ValidationTest {

    private static final String SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
            + "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
            + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    private static final String LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
            + "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
            + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    private static final String DNS1035_MSG = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
            + "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
            + "'[a-z]([-a-z0-9]*[a-z0-9])?')";

    private static ObjectMeta meta(String name) {
        return new ObjectMetaBuilder().withName(name).withNamespace("default").build();
    }

    @Test
    void dns1123SubdomainAcceptsDotsAndRejectsUppercaseWithKubernetesMessage() {
        assertThat(Validation.isDns1123Subdomain("example.com")).isEmpty();
        assertThat(Validation.isDns1123Subdomain("Example")).containsExactly(SUBDOMAIN_MSG);
        assertThat(Validation.isDns1123Subdomain("a".repeat(254))).containsExactly("must be no more than 253 characters");
    }

    @Test
    void dns1123LabelRejectsDotsWithItsOwnMessage() {
        assertThat(Validation.isDns1123Label("my-name")).isEmpty();
        assertThat(Validation.isDns1123Label("a.b")).containsExactly("must not contain dots");
        assertThat(Validation.isDns1123Label("-a")).containsExactly(LABEL_MSG);
        assertThat(Validation.isDns1123Label("a".repeat(64))).containsExactly("must be no more than 63 characters");
    }

    @Test
    void dns1035LabelMustStartWithALetter() {
        assertThat(Validation.isDns1035Label("web")).isEmpty();
        assertThat(Validation.isDns1035Label("1web")).containsExactly(DNS1035_MSG);
    }

    @Test
    void qualifiedNamesHaveAnOptionalSubdomainPrefix() {
        assertThat(Validation.isQualifiedName("app.kubernetes.io/name")).isEmpty();
        assertThat(Validation.isQualifiedName("MyName")).isEmpty();
        assertThat(Validation.isQualifiedName("/name")).containsExactly("prefix part must be non-empty");
        assertThat(Validation.isQualifiedName("a/b/c")).containsExactly("a qualified name must consist of alphanumeric characters, '-', '_' "
                + "or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
                + "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
        assertThat(Validation.isQualifiedName("-bad")).containsExactly("name part must consist of alphanumeric characters, '-', '_' or '.', "
                + "and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
                + "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
    }

    @Test
    void labelValuesMayBeEmpty() {
        assertThat(Validation.isValidLabelValue("")).isEmpty();
        assertThat(Validation.isValidLabelValue("v1.2_3")).isEmpty();
        assertThat(Validation.isValidLabelValue("a b")).containsExactly("a valid label must be an empty string or consist of alphanumeric "
                + "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
                + "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
    }

    @Test
    void nameIsRequiredUnlessGenerated() {
        ObjectMeta m = new ObjectMetaBuilder().withNamespace("default").build();
        assertThat(render(Validation.validateObjectMeta(m, true, NameRule.DNS1123_SUBDOMAIN)))
                .containsExactly("metadata.name: Required value: name or generateName is required");
        ObjectMeta generated = new ObjectMetaBuilder().withGenerateName("web-").withName("web-x7k2p").withNamespace("default").build();
        assertThat(Validation.validateObjectMeta(generated, true, NameRule.DNS1123_SUBDOMAIN)).isEmpty();
    }

    @Test
    void nameFollowsTheResourceRule() {
        assertThat(render(Validation.validateObjectMeta(meta("Web"), true, NameRule.DNS1123_SUBDOMAIN)))
                .containsExactly("metadata.name: Invalid value: \"Web\": " + SUBDOMAIN_MSG);
        ObjectMeta ns = new ObjectMetaBuilder().withName("a.b").build();
        assertThat(render(Validation.validateObjectMeta(ns, false, NameRule.DNS1123_LABEL)))
                .containsExactly("metadata.name: Invalid value: \"a.b\": must not contain dots");
        assertThat(render(Validation.validateObjectMeta(meta("1web"), true, NameRule.DNS1035_LABEL)))
                .containsExactly("metadata.name: Invalid value: \"1web\": " + DNS1035_MSG);
    }

    @Test
    void namespaceIsRequiredForNamespacedAndForbiddenOtherwise() {
        ObjectMeta m = new ObjectMetaBuilder().withName("x").build();
        assertThat(render(Validation.validateObjectMeta(m, true, NameRule.DNS1123_SUBDOMAIN))).containsExactly("metadata.namespace: Required value");
        assertThat(render(Validation.validateObjectMeta(meta("x"), false, NameRule.DNS1123_SUBDOMAIN)))
                .containsExactly("metadata.namespace: Forbidden: not allowed on this type");
    }

    @Test
    void labelErrorsAreReportedAtTheLabelsField() {
        ObjectMeta m = meta("x");
        m.setLabels(Map.of("bad key!", "ok", "app", "bad value!"));
        List<String> errors = render(Validation.validateObjectMeta(m, true, NameRule.DNS1123_SUBDOMAIN));
        assertThat(errors).hasSize(2);
        assertThat(errors.get(0)).startsWith("metadata.labels: Invalid value: \"bad value!\": a valid label must be an empty string");
        assertThat(errors.get(1)).startsWith("metadata.labels: Invalid value: \"bad key!\": name part must consist of alphanumeric characters");
    }

    @Test
    void annotationKeysAreCaseInsensitiveQualifiedNamesAndBoundedInSize() {
        ObjectMeta m = meta("x");
        m.setAnnotations(Map.of("Example.COM/Key", "v"));
        assertThat(Validation.validateObjectMeta(m, true, NameRule.DNS1123_SUBDOMAIN)).isEmpty();
        m.setAnnotations(Map.of("big", "x".repeat(256 * 1024)));
        assertThat(render(Validation.validateObjectMeta(m, true, NameRule.DNS1123_SUBDOMAIN)))
                .containsExactly("metadata.annotations: Too long: may not be more than 262144 bytes");
    }

    @Test
    void finalizersMustBeQualifiedOrStandard() {
        ObjectMeta m = meta("x");
        m.setFinalizers(List.of("example.com/cleanup", "kubernetes", "custom"));
        assertThat(render(Validation.validateObjectMeta(m, true, NameRule.DNS1123_SUBDOMAIN)))
                .containsExactly("metadata.finalizers[2]: Invalid value: \"custom\": name is neither a standard finalizer name nor is it fully qualified");
    }

    @Test
    void ownerReferencesNeedVersionKindNameAndUid() {
        ObjectMeta m = meta("x");
        m.setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet").build()));
        assertThat(render(Validation.validateObjectMeta(m, true, NameRule.DNS1123_SUBDOMAIN))).containsExactly(
                "metadata.ownerReferences.name: Invalid value: \"\": must not be empty",
                "metadata.ownerReferences.uid: Invalid value: \"\": must not be empty");
    }

    @Test
    void metadataUpdateKeepsIdentityImmutable() {
        ObjectMeta old = new ObjectMetaBuilder().withName("x").withNamespace("a").withUid("1").withResourceVersion("5").build();
        ObjectMeta now = new ObjectMetaBuilder().withName("x").withNamespace("a").withUid("2").withResourceVersion("5").build();
        assertThat(render(Validation.validateObjectMetaUpdate(now, old))).containsExactly("metadata.uid: Invalid value: \"2\": field is immutable");
    }

    @Test
    void labelSelectorExpressionsAreChecked() {
        LabelSelector s = yaml("""
                matchExpressions:
                - {key: tier, operator: In}
                - {key: env, operator: Exists, values: [a]}
                - {key: app, operator: Like}
                """, LabelSelector.class);
        assertThat(render(Validation.validateLabelSelector(s, "spec.selector"))).containsExactly(
                "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
                "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                "spec.selector.matchExpressions[2].operator: Invalid value: \"Like\": not a valid selector operator");
    }

    @Test
    void portNamesFollowTheIanaSvcNameRules() {
        assertThat(Validation.isValidPortName("http")).isEmpty();
        assertThat(Validation.isValidPortName("8080")).containsExactly("must contain at least one letter (a-z)");
        assertThat(Validation.isValidPortName("my--port")).containsExactly("must not contain consecutive hyphens");
        assertThat(Validation.isValidPortName("a-very-long-port-name")).containsExactly("must be no more than 15 characters");
    }

    @Test
    void configMapKeysAllowDotsButNotDotDot() {
        assertThat(Validation.isConfigMapKey("app.properties")).isEmpty();
        assertThat(Validation.isConfigMapKey("..data")).containsExactly("must not start with '..'");
        assertThat(Validation.isConfigMapKey("a/b")).containsExactly("a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
                + "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
    }

    @Test
    void ipsAndCidrsParseLikeGo() {
        assertThat(Validation.isIp("10.42.0.5")).isTrue();
        assertThat(Validation.isIp("010.042.000.005")).isTrue();
        assertThat(Validation.isIp("fd00::1")).isTrue();
        assertThat(Validation.isIp("10.42.0.256")).isFalse();
        assertThat(Validation.isIp("example.com")).isFalse();
        assertThat(Validation.isCidr("10.42.0.0/16")).isTrue();
        assertThat(Validation.isCidr("10.42.0.0/33")).isFalse();
    }

    @Test
    void fieldErrorsRenderValuesAsGoPrintsThem() {
        assertThat(Validation.invalid("a", "x\"y", "d").message()).isEqualTo("Invalid value: \"x\\\"y\": d");
        assertThat(Validation.invalid("a", -1, "d").message()).isEqualTo("Invalid value: -1: d");
        assertThat(Validation.invalid("a", Map.of("b", "2", "a", "1"), "d").message()).isEqualTo("Invalid value: map[string]string{\"a\":\"1\", \"b\":\"2\"}: d");
        assertThat(Validation.invalid("a", List.of("10.0.0.1"), "d").message()).isEqualTo("Invalid value: []string{\"10.0.0.1\"}: d");
        assertThat(Validation.notFound("a", "x").message()).isEqualTo("Not found: \"x\"");
        assertThat(Validation.tooLong("a", 1).message()).isEqualTo("Too long: may not be more than 1 byte");
    }
}
