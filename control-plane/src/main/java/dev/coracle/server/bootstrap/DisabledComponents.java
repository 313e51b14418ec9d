package dev.coracle.server.bootstrap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import java.util.Arrays;
import java.util.List;

/**
 * What k3s's {@code --disable NAME} and {@code --flannel-iface} mean here. k3s packages add-ons
 * (traefik, servicelb, coredns, local-storage, metrics-server) that {@code --disable} leaves out;
 * Coracle packages only local-storage (the {@code local-path} StorageClass and its provisioner), so the rest have
 * nothing to leave out — the seed's install line ({@code --disable traefik --disable servicelb}) still works and the
 * log says why it changes nothing.
 */
@Component
public class DisabledComponents {

    /** k3s's name for the local-path StorageClass and provisioner. */
    public static final String LOCAL_STORAGE = "local-storage";

    private static final Logger log = LoggerFactory.getLogger(DisabledComponents.class);

    private final List<String> disabled;

    DisabledComponents(Environment environment) {
        Binder binder = Binder.get(environment);
        // k3s takes both --disable a --disable b and --disable a,b
        this.disabled = binder.bind("coracle.disable", Bindable.listOf(String.class)).orElse(List.of()).stream()
                .flatMap(value -> Arrays.stream(value.split(",")))
                .map(String::trim).filter(name -> !name.isEmpty()).distinct().toList();
        for (String name : disabled) {
            if (name.equals(LOCAL_STORAGE)) {
                log.info("--disable {}: no local-path StorageClass and no provisioner for it", name);
                continue;
            }
            log.info("--disable {}: Coracle packages no {} (k3s's optional add-on), so there is nothing to disable", name, name);
        }
        binder.bind("coracle.iface", String.class).ifBound(iface -> log.info(
                "--iface {}: the launcher takes this interface's address as the node IP; the server binds to --bind-address", iface));
    }

    List<String> names() {
        return disabled;
    }

    public boolean isDisabled(String name) {
        return disabled.contains(name);
    }
}
