package dev.coracle.server.registry.core;

import dev.coracle.server.registry.NameRule;
import io.fabric8.kubernetes.api.model.Service;
import org.junit.jupiter.api.Test;

import static dev.coracle.server.registry.Fixtures.CLOCK;
import static dev.coracle.server.registry.Fixtures.ago;
import static dev.coracle.server.registry.Fixtures.render;
import static dev.coracle.server.registry.Fixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

class ServiceStrategyTest {

    private final ServiceStrategy strategy = new ServiceStrategy(CLOCK);

    private Service created(String spec) {
        Service s = yaml("""
                metadata: {name: web, namespace: default, creationTimestamp: "%s"}
                spec:
                %s
                """.formatted(ago(600), spec.indent(2)), Service.class);
        strategy.applyDefaults(s);
        strategy.prepareForCreate(s);
        return s;
    }

    /** What the API layer's allocator would do: a cluster IP (and node ports) on a created service. */
    private static Service allocated(Service s, String ip) {
        s.getSpec().setClusterIP(ip);
        s.getSpec().setClusterIPs(new java.util.ArrayList<>(java.util.List.of(ip)));
        return s;
    }

    @Test
    void servicesUseDns1035Names() {
        assertThat(strategy.nameRule()).isEqualTo(NameRule.DNS1035_LABEL);
        assertThat(strategy.type().shortNames()).containsExactly("svc");
        assertThat(strategy.type().categories()).containsExactly("all");
    }

    @Test
    void defaultsMatchTheV1Defaulter() {
        Service s = created("""
                selector: {app: web}
                ports: [{port: 80}]
                """);
        var spec = s.getSpec();
        assertThat(spec.getType()).isEqualTo("ClusterIP");
        assertThat(spec.getSessionAffinity()).isEqualTo("None");
        assertThat(spec.getPorts().get(0).getProtocol()).isEqualTo("TCP");
        assertThat(spec.getPorts().get(0).getTargetPort().getIntVal()).isEqualTo(80);
        assertThat(spec.getIpFamilies()).containsExactly("IPv4");
        assertThat(spec.getIpFamilyPolicy()).isEqualTo("SingleStack");
        assertThat(spec.getInternalTrafficPolicy()).isEqualTo("Cluster");
        assertThat(spec.getExternalTrafficPolicy()).isNull();
    }

    @Test
    void nodePortServicesGetAnExternalTrafficPolicy() {
        Service s = created("type: NodePort\nports: [{port: 80, targetPort: http}]");
        assertThat(s.getSpec().getExternalTrafficPolicy()).isEqualTo("Cluster");
        assertThat(s.getSpec().getPorts().get(0).getTargetPort().getStrVal()).isEqualTo("http");
    }

    @Test
    void portsAreRequired() {
        Service s = created("selector: {app: web}");
        assertThat(render(strategy.validate(s))).containsExactly("spec.ports: Required value");
    }

    @Test
    void multiplePortsNeedNamesAndDistinctPorts() {
        Service s = created("ports: [{port: 80}, {name: b, port: 80}, {name: c, port: 0}]");
        assertThat(render(strategy.validate(s))).containsExactly(
                "spec.ports[0].name: Required value",
                "spec.ports[2].port: Invalid value: 0: must be between 1 and 65535, inclusive",
                "spec.ports[2].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive",
                "spec.ports[1]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}");
    }

    @Test
    void clusterIpServicesMayNotSetNodePorts() {
        Service s = created("ports: [{port: 80, nodePort: 30080}]");
        assertThat(render(strategy.validate(s))).containsExactly("spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'");
    }

    @Test
    void theClusterIpMayNotChange() {
        Service old = allocated(created("ports: [{port: 80}]"), "10.43.0.10");
        Service now = created("ports: [{port: 80}]\nclusterIP: 10.43.0.99");
        strategy.prepareForUpdate(now, old);
        assertThat(render(strategy.validateUpdate(now, old))).containsExactly(
                "spec.clusterIPs[0]: Invalid value: []string{\"10.43.0.99\"}: may not change once set");
    }

    @Test
    void anUpdateWithoutClusterIpKeepsTheAllocatedOne() {
        Service old = allocated(created("type: NodePort\nports: [{port: 80}]"), "10.43.0.10");
        old.getSpec().getPorts().get(0).setNodePort(30080);
        Service now = created("type: NodePort\nports: [{port: 80}]");
        strategy.prepareForUpdate(now, old);
        assertThat(now.getSpec().getClusterIPs()).containsExactly("10.43.0.10");
        assertThat(now.getSpec().getPorts().get(0).getNodePort()).isEqualTo(30080);
        assertThat(strategy.validateUpdate(now, old)).isEmpty();
    }

    @Test
    void switchingToClusterIpDropsNodePorts() {
        Service old = allocated(created("type: NodePort\nports: [{port: 80, nodePort: 30080}]"), "10.43.0.10");
        Service now = created("type: ClusterIP\nports: [{port: 80, nodePort: 30080}]");
        strategy.prepareForUpdate(now, old);
        assertThat(now.getSpec().getPorts().get(0).getNodePort()).isNull();
        assertThat(now.getSpec().getExternalTrafficPolicy()).isNull();
    }

    @Test
    void printsAClusterIpService() {
        Service s = allocated(created("selector: {app: web, tier: fe}\nports: [{port: 80}, {name: https, port: 443}]"), "10.43.12.7");
        assertThat(strategy.columns()).extracting(c -> c.getName())
                .containsExactly("Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector");
        assertThat(strategy.cells(s)).containsExactly("web", "ClusterIP", "10.43.12.7", "<none>", "80/TCP,443/TCP", "10m", "app=web,tier=fe");
    }

    @Test
    void printsANodePortAndAPendingLoadBalancer() {
        Service np = allocated(created("type: NodePort\nports: [{port: 80, nodePort: 30080}]"), "10.43.0.5");
        assertThat(strategy.cells(np)).containsExactly("web", "NodePort", "10.43.0.5", "<none>", "80:30080/TCP", "10m", "<none>");
        Service lb = allocated(created("type: LoadBalancer\nports: [{port: 443, nodePort: 31443}]"), "10.43.0.6");
        assertThat(strategy.cells(lb).get(3)).isEqualTo("<pending>");
        Service headless = created("clusterIP: None\nselector: {app: db}");
        assertThat(strategy.cells(headless).subList(2, 5)).containsExactly("None", "<none>", "<none>");
        assertThat(strategy.validate(headless)).isEmpty();
        Service selectorless = created("clusterIP: None\nports: [{port: 5432}]");
        assertThat(selectorless.getSpec().getIpFamilyPolicy()).isEqualTo("RequireDualStack");
        assertThat(selectorless.getSpec().getIpFamilies()).containsExactly("IPv4", "IPv6");
        assertThat(strategy.validate(selectorless)).isEmpty();
        Service external = created("type: ExternalName\nexternalName: db.example.com");
        assertThat(strategy.cells(external).subList(1, 5)).containsExactly("ExternalName", "<none>", "db.example.com", "<none>");
        assertThat(strategy.validate(external)).isEmpty();
    }

    @Test
    void loadBalancerStatusOnlyForLoadBalancers() {
        Service old = allocated(created("ports: [{port: 80}]"), "10.43.0.10");
        Service now = yaml("""
                metadata: {name: web}
                status: {loadBalancer: {ingress: [{ip: 192.168.56.200}]}}
                """, Service.class);
        strategy.prepareForStatusUpdate(now, old);
        assertThat(render(strategy.validateStatusUpdate(now, old))).containsExactly(
                "status.loadBalancer.ingress: Forbidden: may only be used when `spec.type` is 'LoadBalancer'");
    }
}
