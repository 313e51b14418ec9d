package dev.coracle.server.controller.serviceaccount;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.InternalClient;
import dev.coracle.server.controller.Controller;
import dev.coracle.server.controller.Informer;
import dev.coracle.server.controller.Informers;
import dev.coracle.server.controller.NamespaceTerminating;
import dev.coracle.server.store.RevisionRecord.EventType;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import org.springframework.stereotype.Component;

/**
 * kube-controller-manager's serviceaccount controller (pkg/controller/serviceaccount/serviceaccounts_controller.go):
 * every active namespace has a ServiceAccount named {@code default}, created again when deleted. Nothing
 * else about it is managed: a user's changes to it stay. A namespace no longer Active gets nothing new, and
 * the API's refusal to create in a terminating namespace is not an error worth a retry. No events, as there.
 */
@Component
public class ServiceAccountsController extends Controller {

    /** The controller's name in kube-controller-manager's {@code --controllers} list. */
    public static final String NAME = "serviceaccount";
    static final String DEFAULT = "default";

    private final InternalClient client;
    private Informer<Namespace> namespaces;
    private Informer<ServiceAccount> serviceAccounts;

    public ServiceAccountsController(InternalClient client) {
        this.client = client;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    protected void register(Informers informers) {
        namespaces = informers.of(Namespace.class);
        // only the name matters here: the metadata informer the namespace controller shares
        serviceAccounts = informers.metadataOf(ServiceAccount.class);
        namespaces.onChange(c -> {
            if (c.type() != EventType.DELETED) {
                enqueue(c.current().getMetadata().getName());
            }
        });
        serviceAccounts.onChange(c -> {
            if (c.type() == EventType.DELETED && DEFAULT.equals(c.current().getMetadata().getName())) {
                enqueue(c.current().getMetadata().getNamespace());
            }
        });
    }

    /** {@code syncNamespace}. */
    @Override
    protected void reconcile(String namespace) throws Exception {
        if (!namespaces.waitForSync(30) || !serviceAccounts.waitForSync(30)) {
            throw new IllegalStateException("namespaces or serviceaccounts not synced");
        }
        Namespace ns = namespaces.get(namespace).orElse(null);
        if (ns == null || ns.getStatus() == null || !"Active".equals(ns.getStatus().getPhase())) {
            return; // if the namespace is not active, nothing is to be created in it
        }
        if (serviceAccounts.get(namespace, DEFAULT).isPresent()) {
            return;
        }
        try {
            client.create(new ServiceAccountBuilder().withNewMetadata().withName(DEFAULT).withNamespace(namespace).endMetadata().build());
        } catch (ApiException e) {
            if (e.code() != 409 && !NamespaceTerminating.is(e)) {
                throw e;
            }
        }
    }
}
