package dev.coracle.server.bootstrap;

import dev.coracle.server.api.InternalClient;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.util.List;

/**
 * What every cluster has from its first start: the namespaces default, kube-system, kube-public and
 * kube-node-lease, and the {@code kubernetes} Service in default at the first service IP.
 */
@Component
class BuiltInObjects {

    private final InternalClient client;
    private final ServerProperties properties;

    BuiltInObjects(InternalClient client, ServerProperties properties) {
        this.client = client;
        this.properties = properties;
    }

    @EventListener(ApplicationReadyEvent.class)
    void ensure() {
        for (String ns : List.of("default", "kube-system", "kube-public", "kube-node-lease")) {
            client.createIfMissing("", "v1", "namespaces", null, new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build());
        }
        String ip = ServiceNetwork.kubernetesServiceIp(properties.serviceCidr());
        client.createIfMissing("", "v1", "services", "default", new ServiceBuilder()
                .withNewMetadata().withName("kubernetes").withNamespace("default")
                .addToLabels("component", "apiserver").addToLabels("provider", "kubernetes").endMetadata()
                .withNewSpec().withClusterIP(ip).withType("ClusterIP").withSessionAffinity("None")
                .addNewPort().withName("https").withPort(443).withProtocol("TCP")
                .withNewTargetPort(properties.httpsListenPort()).endPort().endSpec().build());
        String address = properties.advertiseAddress() != null ? properties.advertiseAddress()
                : properties.bindAddress().equals("0.0.0.0") ? "127.0.0.1" : properties.bindAddress();
        client.createIfMissing("", "v1", "endpoints", "default", new EndpointsBuilder()
                .withNewMetadata().withName("kubernetes").withNamespace("default").endMetadata()
                .addNewSubset().addNewAddress().withIp(address).endAddress()
                .addNewPort().withName("https").withPort(properties.httpsListenPort()).withProtocol("TCP").endPort().endSubset().build());
    }
}
