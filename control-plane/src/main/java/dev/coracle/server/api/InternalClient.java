package dev.coracle.server.api;

import dev.coracle.server.patch.PatchType;
import dev.coracle.server.registry.Registry;
import dev.coracle.server.registry.ResourceStrategy;
import dev.coracle.server.store.StoredObject;
import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How the control plane's own parts (bootstrap, controllers, scheduler) read and write objects:
 * through the same verbs as any client, so defaults, validation, field ownership and watch events
 * are the same, without the HTTP hop.
 */
@Component
public class InternalClient {

    /** The component the control plane's parts write as unless they say otherwise: kube-controller-manager's controllers. */
    static final String CONTROLLER_MANAGER = "kube-controller-manager";

    private final ResourceService resources;
    private final Registry registry;
    /** Who writes: the field manager of what it writes, its user agent, and (as {@code system:<component>}) its user. */
    private final String component;

    @Autowired
    public InternalClient(ResourceService resources, Registry registry) {
        this(resources, registry, CONTROLLER_MANAGER);
    }

    private InternalClient(ResourceService resources, Registry registry, String component) {
        this.resources = resources;
        this.registry = registry;
        this.component = component;
    }

    /**
     * This client writing as another control-plane component, as each Kubernetes component has its own client:
     * the scheduler's status writes are recorded in managedFields under {@code kube-scheduler}, not the controllers'.
     */
    public InternalClient as(String component) {
        return new InternalClient(resources, registry, component);
    }

    /** Creates the object unless one of that name exists; true if it created it. */
    public boolean createIfMissing(String group, String version, String plural, String namespace, HasMetadata object) {
        try {
            create(object, namespace);
            return true;
        } catch (ApiException e) {
            if (e.code() == 409) {
                return false;
            }
            throw e;
        }
    }

    public <T extends HasMetadata> Optional<T> get(Class<T> type, String namespace, String name) {
        try {
            return Optional.of(type.cast(Json.toTyped(resources.get(call(type, namespace, name, null, Query.none())), type)));
        } catch (ApiException e) {
            if (e.code() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Every object of the type, in one namespace or (namespace null) in all. */
    public <T extends HasMetadata> List<T> list(Class<T> type, String namespace, String labelSelector) {
        MultiValueMap<String, String> params = new LinkedMultiValueMap<>();
        if (labelSelector != null) {
            params.add("labelSelector", labelSelector);
        }
        List<T> out = new ArrayList<>();
        for (StoredObject o : resources.list(call(type, namespace, null, null, new Query(params)), 0, null).items()) {
            out.add(Json.toTyped(Json.parseStored(o.body()), type));
        }
        return out;
    }

    public <T extends HasMetadata> T create(T object) {
        return create(object, object.getMetadata().getNamespace());
    }

    @SuppressWarnings("unchecked")
    private <T extends HasMetadata> T create(T object, String namespace) {
        Call call = call(object.getClass(), namespace, null, null, Query.manager(component));
        return (T) Json.toTyped(resources.create(call, Json.toTree(object)).object(), object.getClass());
    }

    /** PUT: refused with 409 when the object changed since it was read. */
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> T update(T object) {
        Call call = call(object.getClass(), object.getMetadata().getNamespace(), object.getMetadata().getName(), null,
                Query.manager(component));
        return (T) Json.toTyped(resources.update(call, Json.toTree(object)).object(), object.getClass());
    }

    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> T updateStatus(T object) {
        Call call = call(object.getClass(), object.getMetadata().getNamespace(), object.getMetadata().getName(), "status",
                Query.manager(component));
        return (T) Json.toTyped(resources.update(call, Json.toTree(object)).object(), object.getClass());
    }

    public <T extends HasMetadata> T patch(Class<T> type, String namespace, String name, PatchType patchType, String body) {
        return patch(type, namespace, name, null, patchType, body);
    }

    public <T extends HasMetadata> T patch(Class<T> type, String namespace, String name, String subresource, PatchType patchType,
                                           String body) {
        Call call = call(type, namespace, name, subresource, Query.manager(component));
        return Json.toTyped(resources.patch(call, patchType.contentType(), body.getBytes(StandardCharsets.UTF_8)).object(), type);
    }

    /** Deletes; false when it was already gone. */
    public boolean delete(Class<? extends HasMetadata> type, String namespace, String name, DeleteOptions options) {
        try {
            resources.delete(call(type, namespace, name, null, Query.none()), options == null ? new DeleteOptions() : options);
            return true;
        } catch (ApiException e) {
            if (e.code() == 404) {
                return false;
            }
            throw e;
        }
    }

    /**
     * PUT namespaces/{name}/finalize: replaces spec.finalizers, as the namespace controller does once the
     * namespace is empty; refused with 409 when the namespace changed since it was read. A namespace
     * being deleted leaves once its finalizers are gone.
     */
    public io.fabric8.kubernetes.api.model.Namespace finalizeNamespace(io.fabric8.kubernetes.api.model.Namespace namespace) {
        Class<io.fabric8.kubernetes.api.model.Namespace> type = io.fabric8.kubernetes.api.model.Namespace.class;
        String name = namespace.getMetadata().getName();
        String expected = namespace.getMetadata().getResourceVersion();
        List<String> finalizers = namespace.getSpec() == null ? List.of() : namespace.getSpec().getFinalizers();
        Call call = call(type, null, name, null, Query.manager(component));
        var outcome = resources.replace(call, current -> {
            if (expected != null && !expected.isEmpty() && !expected.equals(current.getMetadata().getResourceVersion())) {
                throw ApiException.conflict("", "namespaces", name,
                        "the object has been modified; please apply your changes to the latest version and try again");
            }
            var ns = (io.fabric8.kubernetes.api.model.Namespace) current;
            if (ns.getSpec() == null) {
                ns.setSpec(new io.fabric8.kubernetes.api.model.NamespaceSpec());
            }
            ns.getSpec().setFinalizers(new ArrayList<>(finalizers));
            return ns;
        }, new ArrayList<>(), true, null);
        return Json.toTyped(outcome.object(), type);
    }

    /**
     * Binds a pod to a node through pods/binding, as the scheduler does (through {@code as("kube-scheduler")}): only the
     * pod of that uid, not one recreated under its name since.
     */
    public void bind(String namespace, String pod, String uid, String node) {
        ResourceStrategy<HasMetadata> strategy = registry.forModel(io.fabric8.kubernetes.api.model.Pod.class);
        Call call = new Call(new RequestInfo("", "v1", namespace, "pods", pod, "binding", false), strategy,
                Query.none(), "system:" + component, component);
        resources.bind(call, new io.fabric8.kubernetes.api.model.BindingBuilder()
                .withNewMetadata().withName(pod).withNamespace(namespace).withUid(uid).endMetadata()
                .withNewTarget().withKind("Node").withName(node).endTarget().build());
    }

    private Call call(Class<?> type, String namespace, String name, String subresource, Query query) {
        ResourceStrategy<HasMetadata> strategy = registry.forModel(type);
        var t = strategy.type();
        return new Call(new RequestInfo(t.group(), t.version(), t.namespaced() ? namespace : null, t.plural(), name, subresource, false),
                strategy, query, "system:" + component, component);
    }
}
