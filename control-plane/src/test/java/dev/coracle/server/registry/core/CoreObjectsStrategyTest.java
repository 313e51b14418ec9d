package dev.coracle.server.registry.core;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import org.junit.jupiter.api.Test;

import java.util.Base64;

import static dev.coracle.server.registry.Fixtures.CLOCK;
import static dev.coracle.server.registry.Fixtures.ago;
import static dev.coracle.server.registry.Fixtures.render;
import static dev.coracle.server.registry.Fixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

/** Endpoints, events, config maps, secrets and service accounts. */
class CoreObjectsStrategyTest {

    @Test
    void endpointsDefaultTheProtocolAndPrintUpToThreeAddresses() {
        EndpointsStrategy strategy = new EndpointsStrategy(CLOCK);
        Endpoints ep = yaml("""
                metadata: {name: web, creationTimestamp: "%s"}
                subsets:
                - addresses: [{ip: 10.42.0.5}, {ip: 10.42.1.3}, {ip: 10.42.2.9}, {ip: 10.42.3.1}]
                  ports: [{port: 80}]
                """.formatted(ago(45)), Endpoints.class);
        strategy.applyDefaults(ep);
        assertThat(ep.getSubsets().get(0).getPorts().get(0).getProtocol()).isEqualTo("TCP");
        assertThat(strategy.validate(ep)).isEmpty();
        assertThat(strategy.cells(ep)).containsExactly("web", "10.42.0.5:80,10.42.1.3:80,10.42.2.9:80 + 1 more...", "45s");
        assertThat(strategy.cells(yaml("metadata: {name: none}", Endpoints.class)).get(1)).isEqualTo("<none>");
    }

    @Test
    void endpointAddressesMustBeUsableIps() {
        EndpointsStrategy strategy = new EndpointsStrategy(CLOCK);
        Endpoints ep = yaml("""
                metadata: {name: web}
                subsets:
                - addresses: [{ip: 127.0.0.1}]
                  ports: [{port: 80, protocol: TCP}]
                - ports: [{port: 81, protocol: TCP}]
                """, Endpoints.class);
        assertThat(render(strategy.validate(ep))).containsExactly(
                "subsets[0].addresses[0].ip: Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)",
                "subsets[1]: Required value: must specify `addresses` or `notReadyAddresses`");
    }

    @Test
    void eventsNamespaceMustMatchTheInvolvedObject() {
        EventStrategy strategy = new EventStrategy(CLOCK);
        Event e = yaml("""
                metadata: {name: web.1, namespace: default}
                involvedObject: {kind: Pod, name: web, namespace: other}
                reason: Started
                """, Event.class);
        assertThat(render(strategy.validate(e))).containsExactly(
                "involvedObject.namespace: Invalid value: \"other\": does not match event.namespace");
    }

    @Test
    void newStyleEventsNeedReportingFields() {
        EventStrategy strategy = new EventStrategy(CLOCK);
        Event e = yaml("""
                metadata: {name: web.1, namespace: default}
                involvedObject: {kind: Pod, name: web, namespace: default}
                eventTime: "2025-01-10T11:59:00.000000Z"
                """, Event.class);
        assertThat(render(strategy.validate(e))).containsExactly(
                "reportingController: Required value",
                "reportingController: Invalid value: \"\": name part must be non-empty",
                "reportingController: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
                "reportingInstance: Required value",
                "action: Required value",
                "reason: Required value");
    }

    @Test
    void eventsPrintAsKubectlGetEvents() {
        EventStrategy strategy = new EventStrategy(CLOCK);
        Event e = yaml("""
                metadata: {name: web-7d9f.17f2a, namespace: default}
                involvedObject: {kind: Pod, name: web-7d9f, namespace: default, fieldPath: "spec.containers{web}"}
                reason: BackOff
                message: "Back-off restarting failed container web  "
                type: Warning
                count: 12
                firstTimestamp: "%s"
                lastTimestamp: "%s"
                source: {component: kubelet, host: worker-1}
                """.formatted(ago(3600), ago(30)), Event.class);
        assertThat(strategy.columns()).extracting(c -> c.getName()).containsExactly("Last Seen", "Type", "Reason", "Object",
                "Subobject", "Source", "Message", "First Seen", "Count", "Name");
        assertThat(strategy.cells(e)).containsExactly("30s", "Warning", "BackOff", "pod/web-7d9f", "spec.containers{web}",
                "kubelet, worker-1", "Back-off restarting failed container web", "60m", 12L, "web-7d9f.17f2a");
        assertThat(strategy.selectableFields(e)).containsEntry("involvedObject.kind", "Pod").containsEntry("involvedObject.name", "web-7d9f")
                .containsEntry("reason", "BackOff").containsEntry("source", "kubelet").containsEntry("type", "Warning");
    }

    @Test
    void configMapKeysAreValidatedAndImmutableDataStays() {
        ConfigMapStrategy strategy = new ConfigMapStrategy(CLOCK);
        ConfigMap bad = yaml("""
                metadata: {name: cfg}
                data: {"a/b": x, dup: y}
                binaryData: {dup: eQ==}
                """, ConfigMap.class);
        assertThat(render(strategy.validate(bad))).containsExactly(
                "data[a/b]: Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
                "data[dup]: Invalid value: \"dup\": duplicate of key present in binaryData");
        ConfigMap old = yaml("metadata: {name: cfg, creationTimestamp: \"%s\"}\nimmutable: true\ndata: {a: \"1\"}".formatted(ago(10)), ConfigMap.class);
        ConfigMap now = yaml("metadata: {name: cfg}\nimmutable: false\ndata: {a: \"2\"}", ConfigMap.class);
        assertThat(render(strategy.validateUpdate(now, old))).containsExactly(
                "immutable: Forbidden: field is immutable when `immutable` is set",
                "data: Forbidden: field is immutable when `immutable` is set");
        assertThat(strategy.cells(old)).containsExactly("cfg", 1L, "10s");
    }

    @Test
    void secretsDefaultToOpaqueAndMergeStringData() {
        SecretStrategy strategy = new SecretStrategy(CLOCK);
        Secret s = yaml("metadata: {name: db}\nstringData: {password: hunter2}", Secret.class);
        strategy.applyDefaults(s);
        assertThat(s.getType()).isEqualTo("Opaque");
        assertThat(s.getStringData()).isNull();
        assertThat(new String(Base64.getDecoder().decode(s.getData().get("password")))).isEqualTo("hunter2");
        assertThat(strategy.selectableFields(s)).containsEntry("type", "Opaque");
        assertThat(strategy.cells(s).subList(0, 3)).containsExactly("db", "Opaque", 1L);
    }

    @Test
    void typedSecretsNeedTheirKeysAndTypeIsImmutable() {
        SecretStrategy strategy = new SecretStrategy(CLOCK);
        Secret tls = yaml("metadata: {name: cert}\ntype: kubernetes.io/tls\ndata: {tls.crt: eA==}", Secret.class);
        assertThat(render(strategy.validate(tls))).containsExactly("data[tls.key]: Required value");
        Secret old = yaml("metadata: {name: s}\ntype: Opaque", Secret.class);
        Secret now = yaml("metadata: {name: s}\ntype: kubernetes.io/basic-auth\ndata: {username: eA==}", Secret.class);
        assertThat(render(strategy.validateUpdate(now, old))).containsExactly("type: Invalid value: \"kubernetes.io/basic-auth\": field is immutable");
    }

    @Test
    void serviceAccountsPrintTheirSecretCount() {
        ServiceAccountStrategy strategy = new ServiceAccountStrategy(CLOCK);
        ServiceAccount sa = yaml("metadata: {name: default}\nsecrets: [{name: a, namespace: x}]", ServiceAccount.class);
        strategy.prepareForCreate(sa);
        assertThat(sa.getSecrets().get(0).getNamespace()).isNull();
        assertThat(strategy.type().shortNames()).containsExactly("sa");
        assertThat(strategy.cells(sa).subList(0, 2)).containsExactly("default", 1L);
    }
}
