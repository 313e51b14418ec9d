package dev.coracle.server.registry.discovery;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import org.junit.jupiter.api.Test;

import static dev.coracle.server.registry.Fixtures.CLOCK;
import static dev.coracle.server.registry.Fixtures.ago;
import static dev.coracle.server.registry.Fixtures.render;
import static dev.coracle.server.registry.Fixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

class EndpointSliceStrategyTest {

    private final EndpointSliceStrategy strategy = new EndpointSliceStrategy(CLOCK);

    private EndpointSlice defaulted(String yaml) {
        EndpointSlice slice = yaml(yaml, EndpointSlice.class);
        strategy.prepareForCreate(slice);
        strategy.applyDefaults(slice);
        return slice;
    }

    @Test
    void addressTypeIsRequiredAndOneOfTheKnown() {
        assertThat(render(strategy.validate(defaulted("metadata: {name: s}")))).containsExactly("addressType: Required value");
        assertThat(render(strategy.validate(defaulted("metadata: {name: s}\naddressType: IPv5")))).containsExactly(
                "addressType: Unsupported value: \"IPv5\": supported values: \"FQDN\", \"IPv4\", \"IPv6\"");
    }

    @Test
    void addressesMatchTheTypeAndAreCounted() {
        EndpointSlice slice = defaulted("""
                metadata: {name: s}
                addressType: IPv4
                endpoints:
                - addresses: ["fd00::1"]
                - addresses: []
                - addresses: ["127.0.0.1"]
                  hostname: Bad_Name
                  nodeName: node_1
                """);
        assertThat(render(strategy.validate(slice))).containsExactly(
                "endpoints[0].addresses[0]: Invalid value: \"fd00::1\": must be a valid IPv4 address",
                "endpoints[1].addresses: Required value: must contain at least 1 address",
                "endpoints[2].addresses[0]: Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)",
                "endpoints[2].nodeName: Invalid value: \"node_1\": a lowercase RFC 1123 subdomain must consist of lower case "
                        + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
                        + "'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                "endpoints[2].hostname: Invalid value: \"Bad_Name\": a lowercase RFC 1123 label must consist of lower case "
                        + "alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  "
                        + "or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
        String many = "metadata: {name: s}\naddressType: FQDN\nendpoints:\n" + "- addresses: [a.example]\n".repeat(1001);
        assertThat(render(strategy.validate(defaulted(many)))).containsExactly("endpoints: Too many: 1001: must have at most 1000 items");
        assertThat(strategy.validate(defaulted("metadata: {name: s}\naddressType: FQDN\nendpoints: [{addresses: [db.example.com.]}]"))).isEmpty();
    }

    @Test
    void portsAreDefaultedNamedUniquelyAndOfKnownProtocols() {
        EndpointSlice slice = defaulted("""
                metadata: {name: s}
                addressType: IPv4
                ports:
                - port: 80
                - port: 81
                - {name: HTTP, port: 82, protocol: ICMP}
                """);
        assertThat(slice.getPorts().get(0).getName()).isEmpty();
        assertThat(slice.getPorts().get(0).getProtocol()).isEqualTo("TCP");
        assertThat(render(strategy.validate(slice))).containsExactly(
                "ports[1].name: Duplicate value: \"\"",
                "ports[2].name: Invalid value: \"HTTP\": a lowercase RFC 1123 label must consist of lower case alphanumeric "
                        + "characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
                        + "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
                "ports[2].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"");
    }

    @Test
    void addressTypeIsImmutableAndGenerationFollowsLabelsToo() {
        EndpointSlice old = defaulted("metadata: {name: s, generation: 3, labels: {a: b}}\naddressType: IPv4");
        EndpointSlice changed = defaulted("metadata: {name: s, generation: 3, labels: {a: c}}\naddressType: IPv6");
        strategy.prepareForUpdate(changed, old);
        assertThat(render(strategy.validateUpdate(changed, old))).containsExactly("addressType: Invalid value: \"IPv6\": field is immutable");
        assertThat(changed.getMetadata().getGeneration()).isEqualTo(4L);
    }

    @Test
    void deprecatedTopologyIsDroppedOnCreate() {
        EndpointSlice slice = defaulted("metadata: {name: s}\naddressType: IPv4\nendpoints: [{addresses: [10.0.0.1], deprecatedTopology: {a: b}}]");
        assertThat(slice.getEndpoints().get(0).getDeprecatedTopology()).isNullOrEmpty();
    }

    @Test
    void printsTypePortsAndTheFirstThreeAddresses() {
        EndpointSlice slice = yaml("""
                metadata: {name: web-abcde, creationTimestamp: "%s"}
                addressType: IPv4
                ports: [{port: 80}, {name: metrics}, {}, {port: 443}]
                endpoints:
                - addresses: [10.0.0.1]
                - addresses: [10.0.0.2, 10.0.0.3]
                  conditions: {ready: false}
                - addresses: [10.0.0.4]
                - addresses: [10.0.0.5]
                """.formatted(ago(90)), EndpointSlice.class);
        assertThat(strategy.columns()).extracting(c -> c.getName()).containsExactly("Name", "AddressType", "Ports", "Endpoints", "Age");
        assertThat(strategy.cells(slice)).containsExactly("web-abcde", "IPv4", "80,metrics,* + 1 more...",
                "10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...", "90s");
        EndpointSlice empty = yaml("metadata: {name: idle-abcde, creationTimestamp: \"%s\"}\naddressType: IPv4".formatted(ago(5)), EndpointSlice.class);
        assertThat(strategy.cells(empty)).containsExactly("idle-abcde", "IPv4", "<unset>", "<unset>", "5s");
        assertThat(strategy.type().apiVersion()).isEqualTo("discovery.k8s.io/v1");
    }
}
