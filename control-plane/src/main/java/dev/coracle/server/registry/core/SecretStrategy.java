package dev.coracle.server.registry.core;

import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.registry.BaseStrategy;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.registry.Tables;
import dev.coracle.server.registry.Validation;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.TableColumnDefinition;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import static dev.coracle.server.registry.Validation.forbidden;
import static dev.coracle.server.registry.Validation.invalid;
import static dev.coracle.server.registry.Validation.key;
import static dev.coracle.server.registry.Validation.required;

/** core/v1 secrets, as {@code pkg/registry/core/secret/strategy.go} and the v1 defaulter and conversion. */
@Component
public class SecretStrategy extends BaseStrategy<Secret> {

    static final ResourceType TYPE = new ResourceType("", "v1", "Secret", "secrets", "secret", true,
            List.of(), List.of(), List.of(), Secret.class);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public SecretStrategy() {
    }

    public SecretStrategy(Clock clock) {
        super(clock);
    }

    @Override
    public ResourceType type() {
        return TYPE;
    }

    /**
     * {@code SetDefaults_Secret} (type Opaque) and the v1 conversion's merge of {@code stringData} into
     * {@code data} (stringData wins and is never stored).
     */
    @Override
    public void applyDefaults(Secret secret) {
        if (secret.getType() == null || secret.getType().isEmpty()) {
            secret.setType("Opaque");
        }
        if (secret.getStringData() != null && !secret.getStringData().isEmpty()) {
            Map<String, String> data = secret.getData() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(secret.getData());
            secret.getStringData().forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
            secret.setData(data);
            secret.setStringData(null);
        }
    }

    /** {@code ValidateSecret}: keys, 1 MiB of data, and the keys each secret type requires. */
    @Override
    public List<FieldError> validate(Secret secret) {
        List<FieldError> errs = new ArrayList<>();
        Map<String, String> data = secret.getData() == null ? Map.of() : new TreeMap<>(secret.getData());
        long total = 0;
        for (Map.Entry<String, String> e : data.entrySet()) {
            for (String m : Validation.isConfigMapKey(e.getKey())) {
                errs.add(invalid(key("data", e.getKey()), e.getKey(), m));
            }
            total += ConfigMapStrategy.decodedLength(e.getValue());
        }
        if (total > ConfigMapStrategy.MAX_SIZE) {
            errs.add(Validation.tooLong("data", ConfigMapStrategy.MAX_SIZE));
        }
        String type = nz(secret.getType());
        switch (type) {
            case "kubernetes.io/service-account-token" -> {
                Map<String, String> annotations = secret.getMetadata() == null ? null : secret.getMetadata().getAnnotations();
                String sa = annotations == null ? null : annotations.get("kubernetes.io/service-account.name");
                if (sa == null || sa.isEmpty()) {
                    errs.add(required("metadata.annotations[kubernetes.io/service-account.name]"));
                }
            }
            case "kubernetes.io/dockercfg" -> errs.addAll(requireJson(data, ".dockercfg"));
            case "kubernetes.io/dockerconfigjson" -> errs.addAll(requireJson(data, ".dockerconfigjson"));
            case "kubernetes.io/basic-auth" -> {
                if (!data.containsKey("username") && !data.containsKey("password")) {
                    errs.add(required("data[username]"));
                    errs.add(required("data[password]"));
                }
            }
            case "kubernetes.io/ssh-auth" -> {
                if (ConfigMapStrategy.decodedLength(data.get("ssh-privatekey")) == 0) {
                    errs.add(required("data[ssh-privatekey]"));
                }
            }
            case "kubernetes.io/tls" -> {
                if (!data.containsKey("tls.crt")) {
                    errs.add(required("data[tls.crt]"));
                }
                if (!data.containsKey("tls.key")) {
                    errs.add(required("data[tls.key]"));
                }
            }
            default -> {
            }
        }
        return errs;
    }

    private static List<FieldError> requireJson(Map<String, String> data, String key) {
        String value = data.get(key);
        if (value == null) {
            return List.of(required(key("data", key)));
        }
        try {
            JSON.readTree(Base64.getDecoder().decode(value));
            return List.of();
        } catch (RuntimeException e) {
            return List.of(invalid(key("data", key), "<secret contents redacted>", e.getMessage() == null ? "invalid JSON" : e.getMessage()));
        }
    }

    /** The type is immutable; so is the data of an immutable secret. */
    @Override
    public List<FieldError> validateUpdate(Secret secret, Secret old) {
        List<FieldError> errs = new ArrayList<>(Validation.validateImmutable(nz(secret.getType()), nz(old.getType()), "type"));
        if (Boolean.TRUE.equals(old.getImmutable())) {
            if (!Boolean.TRUE.equals(secret.getImmutable())) {
                errs.add(forbidden("immutable", "field is immutable when `immutable` is set"));
            }
            if (!Objects.equals(ConfigMapStrategy.emptyToNull(secret.getData()), ConfigMapStrategy.emptyToNull(old.getData()))) {
                errs.add(forbidden("data", "field is immutable when `immutable` is set"));
            }
        }
        errs.addAll(validate(secret));
        return errs;
    }

    @Override
    public Map<String, String> selectableFields(Secret secret) {
        return Map.of("type", nz(secret.getType()));
    }

    @Override
    public List<TableColumnDefinition> columns() {
        return List.of(Tables.nameColumn(),
                Tables.column("Type", "string", "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types"),
                Tables.column("Data", "string", "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4"),
                Tables.ageColumn());
    }

    @Override
    public List<Object> cells(Secret secret) {
        return List.of(name(secret), nz(secret.getType()), (long) (secret.getData() == null ? 0 : secret.getData().size()), age(secret));
    }
}
