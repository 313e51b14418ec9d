package dev.coracle.server.registry;

import io.fabric8.kubernetes.api.model.HasMetadata;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every served resource and its strategy, found by path segments or by kind. */
@Component
public class Registry {

    private final Map<String, ResourceStrategy<?>> byPath = new LinkedHashMap<>();
    private final java.util.Set<String> namespaced = new java.util.HashSet<>();
    private final List<ResourceStrategy<?>> strategies;

    public Registry(List<ResourceStrategy<?>> strategies) {
        this.strategies = List.copyOf(strategies);
        for (ResourceStrategy<?> s : strategies) {
            ResourceType t = s.type();
            byPath.put(t.group() + "/" + t.version() + "/" + t.plural(), s);
            if (t.namespaced()) {
                namespaced.add(t.apiVersion() + "/" + t.plural());
            }
        }
    }

    /** Whether {@code plural} of {@code apiVersion} ("v1", "apps/v1") is a namespaced resource served here. */
    public boolean isNamespaced(String apiVersion, String plural) {
        return namespaced.contains(apiVersion + "/" + plural);
    }

    public Optional<ResourceStrategy<HasMetadata>> find(String group, String version, String plural) {
        @SuppressWarnings("unchecked")
        ResourceStrategy<HasMetadata> s = (ResourceStrategy<HasMetadata>) byPath.get(group + "/" + version + "/" + plural);
        return Optional.ofNullable(s);
    }

    /** The strategy of the resource whose objects decode into this model class. */
    public ResourceStrategy<HasMetadata> forModel(Class<?> modelClass) {
        for (ResourceStrategy<?> s : strategies) {
            if (s.type().modelClass().equals(modelClass)) {
                @SuppressWarnings("unchecked")
                ResourceStrategy<HasMetadata> found = (ResourceStrategy<HasMetadata>) s;
                return found;
            }
        }
        throw new IllegalArgumentException("no served resource for " + modelClass.getName());
    }

    public List<ResourceType> types() {
        return strategies.stream().map(ResourceStrategy::type).toList();
    }

    /** The group-versions served, core ("" group) first, in a stable order. */
    public Map<String, List<ResourceType>> byGroupVersion() {
        Map<String, List<ResourceType>> out = new LinkedHashMap<>();
        types().stream()
                .sorted((a, b) -> a.group().isEmpty() == b.group().isEmpty() ? 0 : a.group().isEmpty() ? -1 : 1)
                .forEach(t -> out.computeIfAbsent(t.apiVersion(), k -> new ArrayList<>()).add(t));
        return out;
    }
}
