package dev.coracle.server.scheduler;

import dev.coracle.server.selector.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A pod's topology spread constraint parsed once, as PodTopologySpread's {@code topologySpreadConstraint}
 * ({@code podtopologyspread/common.go}): the label selector with {@code matchLabelKeys} merged in from the
 * pod's labels, {@code minDomains} (1 when unset), and the node inclusion policies ({@code nodeAffinityPolicy}
 * Honor and {@code nodeTaintsPolicy} Ignore when unset). A null selector selects nothing.
 */
public record SpreadConstraint(int maxSkew, String topologyKey, LabelSelector selector, int minDomains,
                               boolean honorNodeAffinity, boolean honorNodeTaints) {

    public static final String DO_NOT_SCHEDULE = "DoNotSchedule";
    public static final String SCHEDULE_ANYWAY = "ScheduleAnyway";

    /** {@code filterTopologySpreadConstraints}: the pod's constraints with the given {@code whenUnsatisfiable}. */
    public static List<SpreadConstraint> of(PodInfo pod, String whenUnsatisfiable) {
        List<SpreadConstraint> out = null;
        for (TopologySpreadConstraint c : pod.topologySpreadConstraints) {
            if (!whenUnsatisfiable.equals(c.getWhenUnsatisfiable())) {
                continue;
            }
            io.fabric8.kubernetes.api.model.LabelSelector selector = c.getLabelSelector();
            if (selector != null && c.getMatchLabelKeys() != null && !c.getMatchLabelKeys().isEmpty()) {
                LabelSelectorBuilder merged = new LabelSelectorBuilder(selector);
                for (String key : c.getMatchLabelKeys()) {
                    String value = pod.labels.get(key);
                    if (value != null) {
                        merged.addToMatchExpressions(new LabelSelectorRequirementBuilder().withKey(key).withOperator("In").withValues(value).build());
                    }
                }
                selector = merged.build();
            }
            if (out == null) {
                out = new ArrayList<>(2);
            }
            out.add(new SpreadConstraint(c.getMaxSkew() == null ? 1 : c.getMaxSkew(), c.getTopologyKey() == null ? "" : c.getTopologyKey(),
                    AffinityTerm.compile(selector), c.getMinDomains() == null ? 1 : c.getMinDomains(),
                    !"Ignore".equals(c.getNodeAffinityPolicy()), "Honor".equals(c.getNodeTaintsPolicy())));
        }
        return out == null ? List.of() : out;
    }

    /** {@code nodeLabelsMatchSpreadConstraints}: the node has every constraint's topology key. */
    public static boolean nodeHasAllKeys(Map<String, String> nodeLabels, List<SpreadConstraint> constraints) {
        for (SpreadConstraint c : constraints) {
            if (!nodeLabels.containsKey(c.topologyKey())) {
                return false;
            }
        }
        return true;
    }

    /** {@code matchNodeInclusionPolicies}: whether the node's domain counts for the pod's spreading. */
    public boolean includes(PodInfo pod, NodeInfo node) {
        if (honorNodeAffinity && !NodeSelectors.matchesRequiredNodeAffinity(pod, node)) {
            return false;
        }
        return !honorNodeTaints || node.node().getSpec() == null
                || Taints.firstUntoleratedNoScheduleOrNoExecute(node.node().getSpec().getTaints(), pod.tolerations) == null;
    }

    /** Whether {@code pod} is one of the pods spread. */
    public boolean selects(PodInfo pod) {
        return selector != null && selector.matches(pod.labels);
    }

    /** {@code countPodsMatchSelector}: the node's pods of the namespace this selects, not being deleted; none for an empty selector. */
    public int countOn(NodeInfo node, String namespace) {
        if (selector == null || selector.isEverything()) {
            return 0;
        }
        int n = 0;
        for (PodInfo p : node.pods()) {
            if (!p.terminating && p.namespace().equals(namespace) && selector.matches(p.labels)) {
                n++;
            }
        }
        return n;
    }
}
