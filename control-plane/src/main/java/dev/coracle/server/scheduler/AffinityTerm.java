package dev.coracle.server.scheduler;

import dev.coracle.server.selector.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A pod (anti-)affinity term parsed once, as kube-scheduler's {@code framework.AffinityTerm}: the namespaces
 * it names (the pod's own when it names none and has no namespace selector), the namespace selector and
 * the label selector (a missing one selects nothing, an empty one everything), the topology key, and the
 * weight of a preferred term. {@code matchLabelKeys}/{@code mismatchLabelKeys} are merged into the label
 * selector from the owning pod's labels as {@code key in (value)}/{@code key notin (value)}, which
 * kube-apiserver does when the pod is created.
 */
public record AffinityTerm(Set<String> namespaces, LabelSelector namespaceSelector, LabelSelector selector, String topologyKey,
                           int weight) {

    /** Whether {@code pod} is one of the pods this term selects; {@code namespaceLabels} gives the labels of a namespace. */
    public boolean matches(PodInfo pod, Function<String, Map<String, String>> namespaceLabels) {
        if (namespaces.contains(pod.namespace())
                || (namespaceSelector != null && namespaceSelector.matches(namespaceLabels.apply(pod.namespace())))) {
            return selector != null && selector.matches(pod.labels);
        }
        return false;
    }

    static List<AffinityTerm> of(PodInfo owner, List<PodAffinityTerm> terms) {
        if (terms == null || terms.isEmpty()) {
            return List.of();
        }
        List<AffinityTerm> out = new ArrayList<>(terms.size());
        for (PodAffinityTerm t : terms) {
            out.add(of(owner, t, 0));
        }
        return out;
    }

    static List<AffinityTerm> weighted(PodInfo owner, List<WeightedPodAffinityTerm> terms) {
        if (terms == null || terms.isEmpty()) {
            return List.of();
        }
        List<AffinityTerm> out = new ArrayList<>(terms.size());
        for (WeightedPodAffinityTerm t : terms) {
            if (t.getPodAffinityTerm() != null) {
                out.add(of(owner, t.getPodAffinityTerm(), t.getWeight() == null ? 0 : t.getWeight()));
            }
        }
        return out;
    }

    private static AffinityTerm of(PodInfo owner, PodAffinityTerm term, int weight) {
        Set<String> namespaces = term.getNamespaces().isEmpty() && term.getNamespaceSelector() == null
                ? Set.of(owner.namespace()) : Set.copyOf(term.getNamespaces());
        LabelSelector nsSelector = compile(term.getNamespaceSelector());
        io.fabric8.kubernetes.api.model.LabelSelector selector = term.getLabelSelector();
        if (selector != null && (!term.getMatchLabelKeys().isEmpty() || !term.getMismatchLabelKeys().isEmpty())) {
            LabelSelectorBuilder merged = new LabelSelectorBuilder(selector);
            addLabelKeys(merged, term.getMatchLabelKeys(), "In", owner.labels);
            addLabelKeys(merged, term.getMismatchLabelKeys(), "NotIn", owner.labels);
            selector = merged.build();
        }
        return new AffinityTerm(namespaces, nsSelector, compile(selector), term.getTopologyKey() == null ? "" : term.getTopologyKey(), weight);
    }

    private static void addLabelKeys(LabelSelectorBuilder selector, List<String> keys, String operator, Map<String, String> labels) {
        for (String key : keys) {
            String value = labels.get(key);
            if (value != null) {
                selector.addToMatchExpressions(new LabelSelectorRequirementBuilder().withKey(key).withOperator(operator)
                        .withValues(value).build());
            }
        }
    }

    /**
     * {@code metav1.LabelSelectorAsSelector}: null selects nothing (returned as null), an empty selector
     * everything; one that does not parse (the API validates them) selects nothing.
     */
    public static LabelSelector compile(io.fabric8.kubernetes.api.model.LabelSelector selector) {
        if (selector == null) {
            return null;
        }
        try {
            return LabelSelector.of(selector);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
