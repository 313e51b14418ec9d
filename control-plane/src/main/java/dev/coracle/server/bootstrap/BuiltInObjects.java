package dev.coracle.server.bootstrap;

import dev.coracle.server.api.InternalClient;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import dev.coracle.server.controller.volume.LocalPathProvisioner;
import dev.coracle.server.registry.storage.StorageClassStrategy;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.List;

/**
 * What every cluster has from its first start: the namespaces default, kube-system, kube-public and
 * kube-node-lease, the {@code kubernetes} Service in default at the first service IP, with the Endpoints and
 * EndpointSlice that lead to this server, and (unless {@code --disable local-storage}) k3s's default StorageClass
 * {@code local-path}.
 */
@Component
public class BuiltInObjects {

    /** Published once the built-in objects exist; health turns ok then. */
    public record Ensured() {
    }

    private final InternalClient client;
    private final ServerProperties properties;
    private final org.springframework.context.ApplicationEventPublisher events;
    private final DisabledComponents disabled;

    BuiltInObjects(InternalClient client, ServerProperties properties, org.springframework.context.ApplicationEventPublisher events,
                   DisabledComponents disabled) {
        this.client = client;
        this.properties = properties;
        this.events = events;
        this.disabled = disabled;
    }

    @EventListener(ApplicationReadyEvent.class)
    void ensure(ApplicationReadyEvent ready) {
        // the port this server listens on: the configured one, or the one it was given for --https-listen-port 0
        int port = properties.httpsListenPort() != 0 || !(ready.getApplicationContext() instanceof WebServerApplicationContext web)
                ? properties.httpsListenPort() : web.getWebServer().getPort();
        for (String ns : List.of("default", "kube-system", "kube-public", "kube-node-lease")) {
            client.createIfMissing("", "v1", "namespaces", null, new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build());
        }
        String ip = ServiceNetwork.kubernetesServiceIp(properties.serviceCidr());
        client.createIfMissing("", "v1", "services", "default", new ServiceBuilder()
                .withNewMetadata().withName("kubernetes").withNamespace("default")
                .addToLabels("component", "apiserver").addToLabels("provider", "kubernetes").endMetadata()
                .withNewSpec().withClusterIP(ip).withType("ClusterIP").withSessionAffinity("None")
                .addNewPort().withName("https").withPort(443).withProtocol("TCP")
                .withNewTargetPort(port).endPort().endSpec().build());
        String address = advertisedAddress();
        if (address != null) { // a loopback-only server has none: Endpoints may not hold loopback addresses
            // as kube-apiserver's endpoint reconciler: the Endpoints, kept from the mirroring controller, and its EndpointSlice
            client.createIfMissing("", "v1", "endpoints", "default", new EndpointsBuilder()
                .withNewMetadata().withName("kubernetes").withNamespace("default")
                .addToLabels("endpointslice.kubernetes.io/skip-mirror", "true").endMetadata()
                .addNewSubset().addNewAddress().withIp(address).endAddress()
                .addNewPort().withName("https").withPort(port).withProtocol("TCP").endPort().endSubset().build());
            client.createIfMissing("discovery.k8s.io", "v1", "endpointslices", "default", new EndpointSliceBuilder()
                .withNewMetadata().withName("kubernetes").withNamespace("default")
                .addToLabels("kubernetes.io/service-name", "kubernetes").endMetadata()
                .withAddressType(address.contains(":") ? "IPv6" : "IPv4")
                .addNewEndpoint().withAddresses(address).withNewConditions().withReady(true).endConditions().endEndpoint()
                .addNewPort().withName("https").withPort(port).withProtocol("TCP").endPort().build());
        }
        if (!disabled.isDisabled(DisabledComponents.LOCAL_STORAGE)) {
            // as k3s's local-storage add-on writes it; LocalPathProvisioner serves it
            client.createIfMissing("storage.k8s.io", "v1", "storageclasses", null, new StorageClassBuilder()
                    .withNewMetadata().withName(LocalPathProvisioner.CLASS_NAME)
                    .addToAnnotations(StorageClassStrategy.DEFAULT_ANNOTATION, "true").endMetadata()
                    .withProvisioner(LocalPathProvisioner.PROVISIONER).withReclaimPolicy("Delete")
                    .withVolumeBindingMode("WaitForFirstConsumer").build());
        }
        events.publishEvent(new Ensured());
    }

    /** Like kube-apiserver's --advertise-address default: the given one, the bind address, or the host's first non-loopback IPv4. */
    private String advertisedAddress() {
        if (properties.advertiseAddress() != null) {
            return properties.advertiseAddress();
        }
        String bind = properties.bindAddress();
        if (!bind.equals("0.0.0.0") && !bind.equals("::")) {
            return bind.startsWith("127.") ? null : bind;
        }
        try {
            for (NetworkInterface nic : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress a : java.util.Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        return a.getHostAddress();
                    }
                }
            }
        } catch (SocketException e) {
            return null;
        }
        return null;
    }
}
