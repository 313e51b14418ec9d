package dev.coracle.server.scheduler;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;

import java.util.List;
import java.util.Map;

/**
 * {@code component-helpers/scheduling/corev1/nodeaffinity}: a pod's {@code nodeSelector} and required
 * node affinity against a node's labels and fields.
 */
public final class NodeSelectors {

    private NodeSelectors() {
    }

    /** {@code nodeaffinity.GetRequiredNodeAffinity(pod).Match(node)}: the pod's {@code nodeSelector} and required node affinity both hold. */
    public static boolean matchesRequiredNodeAffinity(PodInfo pod, NodeInfo node) {
        if (!pod.nodeSelector.isEmpty() && !matchesNodeSelector(pod.nodeSelector, node.labels())) {
            return false;
        }
        return pod.requiredAffinity == null || matches(pod.requiredAffinity, node.node(), node.labels());
    }

    /** Every {@code nodeSelector} label present with the same value. */
    public static boolean matchesNodeSelector(Map<String, String> nodeSelector, Map<String, String> labels) {
        for (Map.Entry<String, String> e : nodeSelector.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** The terms are ORed; a term with neither expressions nor fields matches nothing; a term that cannot be parsed matches nothing. */
    public static boolean matches(NodeSelector selector, Node node, Map<String, String> labels) {
        for (NodeSelectorTerm term : selector.getNodeSelectorTerms()) {
            if (matchesTerm(term, node, labels)) {
                return true;
            }
        }
        return false;
    }

    public static boolean matchesTerm(NodeSelectorTerm term, Node node, Map<String, String> labels) {
        if (term == null || (term.getMatchExpressions().isEmpty() && term.getMatchFields().isEmpty())) {
            return false;
        }
        for (NodeSelectorRequirement r : term.getMatchExpressions()) {
            if (!matchesLabel(r, labels)) {
                return false;
            }
        }
        for (NodeSelectorRequirement r : term.getMatchFields()) {
            if (!matchesField(r, node)) {
                return false;
            }
        }
        return true;
    }

    /** {@code labels.Requirement.Matches} for In, NotIn, Exists, DoesNotExist, Gt and Lt. */
    static boolean matchesLabel(NodeSelectorRequirement r, Map<String, String> labels) {
        String key = r.getKey();
        List<String> values = r.getValues();
        boolean has = labels.containsKey(key);
        String value = labels.get(key);
        switch (r.getOperator() == null ? "" : r.getOperator()) {
            case "In":
                return has && values.contains(value);
            case "NotIn":
                return !has || !values.contains(value);
            case "Exists":
                return has;
            case "DoesNotExist":
                return !has;
            case "Gt":
            case "Lt":
                if (!has || values.size() != 1) {
                    return false;
                }
                try {
                    long have = Long.parseLong(value);
                    long want = Long.parseLong(values.get(0));
                    return r.getOperator().equals("Gt") ? have > want : have < want;
                } catch (NumberFormatException e) {
                    return false;
                }
            default:
                return false;
        }
    }

    /** Only {@code metadata.name} is a supported field, with In or NotIn and exactly one value. */
    static boolean matchesField(NodeSelectorRequirement r, Node node) {
        if (!"metadata.name".equals(r.getKey()) || r.getValues().size() != 1) {
            return false;
        }
        String name = node.getMetadata().getName();
        return switch (r.getOperator() == null ? "" : r.getOperator()) {
            case "In" -> r.getValues().get(0).equals(name);
            case "NotIn" -> !r.getValues().get(0).equals(name);
            default -> false;
        };
    }
}
