package dev.coracle.server.registry.core;

import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.registry.BaseStrategy;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.registry.Tables;
import dev.coracle.server.registry.Validation;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.TableColumnDefinition;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import static dev.coracle.server.registry.Validation.forbidden;
import static dev.coracle.server.registry.Validation.invalid;
import static dev.coracle.server.registry.Validation.key;

/** core/v1 config maps, as {@code pkg/registry/core/configmap/strategy.go}. */
@Component
public class ConfigMapStrategy extends BaseStrategy<ConfigMap> {

    static final ResourceType TYPE = new ResourceType("", "v1", "ConfigMap", "configmaps", "configmap", true,
            List.of("cm"), List.of(), List.of(), ConfigMap.class);

    /** 1 MiB, the limit of a ConfigMap's or Secret's data. */
    public static final int MAX_SIZE = 1024 * 1024;

    public ConfigMapStrategy() {
    }

    public ConfigMapStrategy(Clock clock) {
        super(clock);
    }

    @Override
    public ResourceType type() {
        return TYPE;
    }

    /** {@code ValidateConfigMap}: keys are config keys, not in both data and binaryData, 1 MiB in total. */
    @Override
    public List<FieldError> validate(ConfigMap cm) {
        List<FieldError> errs = new ArrayList<>();
        long total = 0;
        Map<String, String> data = cm.getData() == null ? Map.of() : new TreeMap<>(cm.getData());
        Map<String, String> binary = cm.getBinaryData() == null ? Map.of() : new TreeMap<>(cm.getBinaryData());
        for (Map.Entry<String, String> e : data.entrySet()) {
            for (String m : Validation.isConfigMapKey(e.getKey())) {
                errs.add(invalid(key("data", e.getKey()), e.getKey(), m));
            }
            if (binary.containsKey(e.getKey())) {
                errs.add(invalid(key("data", e.getKey()), e.getKey(), "duplicate of key present in binaryData"));
            }
            total += Validation.utf8Length(e.getValue());
        }
        for (Map.Entry<String, String> e : binary.entrySet()) {
            for (String m : Validation.isConfigMapKey(e.getKey())) {
                errs.add(invalid(key("binaryData", e.getKey()), e.getKey(), m));
            }
            total += decodedLength(e.getValue());
        }
        if (total > MAX_SIZE) {
            errs.add(Validation.tooLong("", MAX_SIZE));
        }
        return errs;
    }

    static long decodedLength(String base64) {
        if (base64 == null) {
            return 0;
        }
        try {
            return Base64.getDecoder().decode(base64).length;
        } catch (IllegalArgumentException e) {
            return base64.length();
        }
    }

    /** An immutable config map's data may not change, nor may it become mutable again. */
    @Override
    public List<FieldError> validateUpdate(ConfigMap cm, ConfigMap old) {
        List<FieldError> errs = new ArrayList<>();
        if (Boolean.TRUE.equals(old.getImmutable())) {
            if (!Boolean.TRUE.equals(cm.getImmutable())) {
                errs.add(forbidden("immutable", "field is immutable when `immutable` is set"));
            }
            if (!Objects.equals(emptyToNull(cm.getData()), emptyToNull(old.getData()))) {
                errs.add(forbidden("data", "field is immutable when `immutable` is set"));
            }
            if (!Objects.equals(emptyToNull(cm.getBinaryData()), emptyToNull(old.getBinaryData()))) {
                errs.add(forbidden("binaryData", "field is immutable when `immutable` is set"));
            }
        }
        errs.addAll(validate(cm));
        return errs;
    }

    static Map<String, String> emptyToNull(Map<String, String> m) {
        return m == null || m.isEmpty() ? null : m;
    }

    @Override
    public List<TableColumnDefinition> columns() {
        return List.of(Tables.nameColumn(),
                Tables.column("Data", "string", "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process."),
                Tables.ageColumn());
    }

    @Override
    public List<Object> cells(ConfigMap cm) {
        long n = (cm.getData() == null ? 0 : cm.getData().size()) + (cm.getBinaryData() == null ? 0 : cm.getBinaryData().size());
        return List.of(name(cm), n, age(cm));
    }
}
