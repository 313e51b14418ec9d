package dev.coracle.server.controller.serviceaccount;

import dev.coracle.server.api.AdmissionHook;
import dev.coracle.server.api.ApiException;
import dev.coracle.server.controller.ControllerProperties;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.store.ObjectKey;
import dev.coracle.server.store.ObjectStore;
import dev.coracle.server.watch.WatchCache;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.springframework.stereotype.Component;

/**
 * kube-apiserver's ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount/admission.go) for a new
 * pod: {@code spec.serviceAccountName} defaults to {@code default} (the deprecated {@code spec.serviceAccount}
 * mirrors it, as the v1 conversion does), and the account must exist, else 403 Forbidden. The {@code default}
 * account is looked for up to ten times 100-200 ms apart, as there, since the serviceaccount controller creates
 * it moments after its namespace: {@code kubectl run} right after {@code kubectl create namespace} waits for it
 * rather than failing. Mirror pods are left alone. Tokens are not mounted: Coracle issues no service account tokens.
 *
 * <p>With the serviceaccount controller off ({@code coracle.controllers.enabled=false} or
 * {@code disabled=serviceaccount}) nothing would ever create the account, so the plugin is off too, as
 * {@code --disable-admission-plugins=ServiceAccount} goes with a cluster whose controller manager does not create them.
 */
@Component
public class ServiceAccountAdmission implements AdmissionHook {

    static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";
    private static final int DEFAULT_ACCOUNT_ATTEMPTS = 10;

    private final ObjectStore store;
    private final WatchCache watchCache;
    private final boolean enabled;

    public ServiceAccountAdmission(ObjectStore store, WatchCache watchCache, ControllerProperties controllers) {
        this.store = store;
        this.watchCache = watchCache;
        this.enabled = controllers.enabled() && !controllers.disabled().contains(ServiceAccountsController.NAME);
    }

    @Override
    public boolean appliesTo(ResourceType type) {
        return enabled && type.group().isEmpty() && type.plural().equals("pods");
    }

    /** It reserves nothing: a pod that exists already meets this plugin first, as in Kubernetes (403 before 409). */
    @Override
    public boolean reserves() {
        return false;
    }

    /** Only an account this server has not seen is looked for in the store. */
    @Override
    public boolean mayWait(HasMetadata object) {
        Pod pod = (Pod) object;
        return !mirror(pod) && !watchCache.serviceAccountSeen(pod.getMetadata().getNamespace(), account(pod.getSpec()));
    }

    @Override
    public List<String> beforeCreate(HasMetadata object, String user, boolean dryRun) {
        Pod pod = (Pod) object;
        if (mirror(pod)) {
            return List.of();
        }
        PodSpec spec = pod.getSpec();
        String account = account(spec);
        List<String> assigned = new ArrayList<>(2);
        if (spec.getServiceAccountName() == null || spec.getServiceAccountName().isEmpty()) {
            assigned.add("/spec/serviceAccountName");
        }
        if (spec.getServiceAccount() == null || spec.getServiceAccount().isEmpty()) {
            assigned.add("/spec/serviceAccount");
        }
        spec.setServiceAccountName(account);
        spec.setServiceAccount(account);
        String namespace = pod.getMetadata().getNamespace();
        if (!exists(namespace, account)) {
            throw ApiException.forbidden("pods \"" + nameForMessage(pod) + "\" is forbidden: error looking up service account "
                    + namespace + "/" + account + ": serviceaccount \"" + account + "\" not found");
        }
        return assigned;
    }

    /**
     * {@code getServiceAccount}: the accounts this process has seen (its lister), else the store: one look, or ten for
     * the account the controller is about to create.
     */
    private boolean exists(String namespace, String account) {
        if (watchCache.serviceAccountSeen(namespace, account)) {
            return true;
        }
        ObjectKey key = new ObjectKey("serviceaccounts", namespace, account);
        int attempts = ServiceAccountsController.DEFAULT.equals(account) ? DEFAULT_ACCOUNT_ATTEMPTS : 1;
        long interval = 100 + ThreadLocalRandom.current().nextLong(100);
        for (int i = 0; i < attempts; i++) {
            if (i != 0) {
                try {
                    Thread.sleep(interval);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            if (store.get(key).isPresent()) {
                return true;
            }
        }
        return false;
    }

    private static boolean mirror(Pod pod) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        return annotations != null && annotations.containsKey(MIRROR_ANNOTATION);
    }

    /** The account the pod names, {@code default} when it names none (the deprecated serviceAccount counts). */
    private static String account(PodSpec spec) {
        String account = spec == null ? null : spec.getServiceAccountName();
        if (account == null || account.isEmpty()) {
            account = spec == null || spec.getServiceAccount() == null || spec.getServiceAccount().isEmpty()
                    ? ServiceAccountsController.DEFAULT : spec.getServiceAccount();
        }
        return account;
    }

    /** As admission.NewForbidden names the object: the generateName when the name is yet to be generated. */
    private static String nameForMessage(Pod pod) {
        String generateName = pod.getMetadata().getGenerateName();
        return generateName != null && !generateName.isEmpty() ? generateName : pod.getMetadata().getName();
    }
}
