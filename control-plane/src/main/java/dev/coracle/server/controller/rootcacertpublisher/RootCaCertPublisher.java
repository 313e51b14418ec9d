package dev.coracle.server.controller.rootcacertpublisher;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.InternalClient;
import dev.coracle.server.bootstrap.ClusterCredentials;
import dev.coracle.server.controller.Controller;
import dev.coracle.server.controller.Informer;
import dev.coracle.server.controller.Informers;
import dev.coracle.server.controller.NamespaceTerminating;
import dev.coracle.server.store.RevisionRecord.EventType;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import org.springframework.stereotype.Component;

import java.util.HashMap;
import java.util.Map;

/**
 * kube-controller-manager's root-ca-cert-publisher (pkg/controller/certificates/rootcacertpublisher/publisher.go):
 * every namespace holds a ConfigMap {@code kube-root-ca.crt} whose {@code ca.crt} is the cluster CA's certificate,
 * the one the kubeconfig trusts. It is created again when deleted, and its data and description annotation are
 * put back when changed; other annotations and labels a user adds stay. No events, as there.
 */
@Component
public class RootCaCertPublisher extends Controller {

    public static final String CONFIG_MAP = "kube-root-ca.crt";
    public static final String DESCRIPTION_ANNOTATION = "kubernetes.io/description";
    public static final String DESCRIPTION = "Contains a CA bundle that can be used to verify the kube-apiserver when using"
            + " internal endpoints such as the internal service IP or kubernetes.default.svc. "
            + "No other usage is guaranteed across distributions of Kubernetes clusters.";

    private final InternalClient client;
    private final String rootCa;
    private Informer<ConfigMap> configMaps;

    public RootCaCertPublisher(InternalClient client, ClusterCredentials credentials) {
        this.client = client;
        this.rootCa = credentials.ca().certificatePem();
    }

    @Override
    public String name() {
        return "root-ca-cert-publisher";
    }

    @Override
    protected void register(Informers informers) {
        Informer<Namespace> namespaces = informers.of(Namespace.class);
        // metadata only, as the namespace controller and garbage collector keep ConfigMaps: the one ConfigMap
        // whose data matters is read when it changes rather than every ConfigMap's data kept in memory
        configMaps = informers.metadataOf(ConfigMap.class);
        namespaces.onChange(c -> {
            if (c.type() == EventType.ADDED
                    || (c.type() == EventType.MODIFIED && c.current().getStatus() != null && "Active".equals(c.current().getStatus().getPhase()))) {
                enqueue(c.current().getMetadata().getName());
            }
        });
        configMaps.onChange(c -> {
            if (c.type() != EventType.ADDED && CONFIG_MAP.equals(c.current().getMetadata().getName())) {
                enqueue(c.current().getMetadata().getNamespace());
            }
        });
    }

    /** {@code syncNamespace}. */
    @Override
    protected void reconcile(String namespace) throws Exception {
        if (!configMaps.waitForSync(30)) {
            throw new IllegalStateException("configmaps not synced");
        }
        Map<String, String> data = Map.of("ca.crt", rootCa);
        ConfigMap cm = configMaps.get(namespace, CONFIG_MAP).isPresent()
                ? client.get(ConfigMap.class, namespace, CONFIG_MAP).orElse(null) : null;
        if (cm == null) {
            try {
                client.create(new ConfigMapBuilder()
                        .withNewMetadata().withName(CONFIG_MAP).withNamespace(namespace)
                        .addToAnnotations(DESCRIPTION_ANNOTATION, DESCRIPTION).endMetadata()
                        .withData(data).build());
            } catch (ApiException e) {
                // a namespace gone or terminating is not retried; one already holding it is looked at on its event
                if (e.code() != 404 && e.code() != 409 && !NamespaceTerminating.is(e)) {
                    throw e;
                }
            }
            return;
        }
        Map<String, String> annotations = cm.getMetadata().getAnnotations();
        String description = annotations == null ? null : annotations.get(DESCRIPTION_ANNOTATION);
        if (data.equals(cm.getData()) && description != null && !description.isEmpty()) {
            return;
        }
        cm.setData(data);
        Map<String, String> kept = annotations == null ? new HashMap<>() : new HashMap<>(annotations);
        kept.put(DESCRIPTION_ANNOTATION, DESCRIPTION);
        cm.getMetadata().setAnnotations(kept);
        cm.getMetadata().setManagedFields(null);
        client.update(cm);
    }
}
