package dev.coracle.server.registry.core;

import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.registry.BaseStrategy;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.registry.Tables;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.TableColumnDefinition;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** core/v1 service accounts, as {@code pkg/registry/core/serviceaccount/strategy.go}. */
@Component
public class ServiceAccountStrategy extends BaseStrategy<ServiceAccount> {

    static final ResourceType TYPE = new ResourceType("", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", true,
            List.of("sa"), List.of(), List.of(), ServiceAccount.class);

    public ServiceAccountStrategy() {
    }

    public ServiceAccountStrategy(Clock clock) {
        super(clock);
    }

    @Override
    public ResourceType type() {
        return TYPE;
    }

    /** Secret references keep only their names. */
    @Override
    public void prepareForCreate(ServiceAccount sa) {
        cleanSecretReferences(sa);
    }

    @Override
    public void prepareForUpdate(ServiceAccount sa, ServiceAccount old) {
        cleanSecretReferences(sa);
    }

    private static void cleanSecretReferences(ServiceAccount sa) {
        List<ObjectReference> refs = new ArrayList<>();
        for (ObjectReference ref : sa.getSecrets()) {
            ObjectReference clean = new ObjectReference();
            clean.setName(ref.getName());
            refs.add(clean);
        }
        sa.setSecrets(refs);
    }

    /** {@code ValidateServiceAccount} checks only the object metadata, which the API layer validates. */
    @Override
    public List<FieldError> validate(ServiceAccount sa) {
        return List.of();
    }

    @Override
    public List<TableColumnDefinition> columns() {
        return List.of(Tables.nameColumn(),
                Tables.column("Secrets", "string", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a \"kubernetes.io/enforce-mountable-secrets\" annotation set to \"true\". The \"kubernetes.io/enforce-mountable-secrets\" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret"),
                Tables.ageColumn());
    }

    @Override
    public List<Object> cells(ServiceAccount sa) {
        return List.of(name(sa), (long) sa.getSecrets().size(), age(sa));
    }
}
