package dev.coracle.server.scheduler;

import dev.coracle.server.scheduler.filter.Filter;
import dev.coracle.server.scheduler.filter.FilterStatus;
import dev.coracle.server.scheduler.filter.InterPodAffinity;
import dev.coracle.server.scheduler.filter.PodTopologySpread;
import dev.coracle.server.scheduler.score.Score;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTermBuilder;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * InterPodAffinity and PodTopologySpread without a server: a cache of nodes in zones with pods on them,
 * the plugins' PreFilter then Filter per node, whole cycles for the messages and the scores, and the
 * queueing hints. Expected words are kube-scheduler's.
 */
class PodAffinityAndSpreadTest {

    private static final String HOSTNAME = "kubernetes.io/hostname";
    private static final String ZONE = "topology.kubernetes.io/zone";

    private final SchedulerCache cache = new SchedulerCache();

    /** n1 and n2 in zone a, n3 in zone b. */
    private void threeNodesInTwoZones() {
        cache.setNode(node("n1", "a"));
        cache.setNode(node("n2", "a"));
        cache.setNode(node("n3", "b"));
    }

    @Test
    void requiredAntiAffinityOnHostnameKeepsThePodOffNodesWithAMatchingPod() {
        threeNodesInTwoZones();
        bind(pod("web-1", Map.of("app", "web"), p -> {
        }), "n1");
        Pod web2 = pod("web-2", Map.of("app", "web"), antiAffinity(HOSTNAME, "app", "web"));
        assertThat(filter(new InterPodAffinity(), web2)).containsExactly(
                Map.entry("n1", "node(s) didn't match pod anti-affinity rules"), Map.entry("n2", "ok"), Map.entry("n3", "ok"));
        // a pod without affinity and without pods of anti-affinity anywhere is not looked at
        assertThat(new InterPodAffinity().preFilter(new CycleState(), PodInfo.of(pod("plain", Map.of("app", "web"), p -> {
        })), cache)).isFalse();
    }

    @Test
    void anExistingPodsAntiAffinityKeepsAMatchingNewPodOffItsWholeDomain() {
        threeNodesInTwoZones();
        bind(pod("loner", Map.of("app", "loner"), antiAffinity(ZONE, "app", "noisy")), "n1");
        Pod noisy = pod("noisy", Map.of("app", "noisy"), p -> {
        });
        assertThat(filter(new InterPodAffinity(), noisy)).containsExactly(
                Map.entry("n1", "node(s) didn't satisfy existing pods anti-affinity rules"),
                Map.entry("n2", "node(s) didn't satisfy existing pods anti-affinity rules"), Map.entry("n3", "ok"));
        // the loner's rule only names app=noisy
        assertThat(filter(new InterPodAffinity(), pod("quiet", Map.of("app", "quiet"), p -> {
        })).values()).containsOnly("ok");
    }

    @Test
    void requiredAffinityCoLocatesInTheDomainOfAMatchingPodAndTheFirstPodMayGoAnywhere() {
        threeNodesInTwoZones();
        cache.setNode(new NodeBuilder(node("n4", "b")).editMetadata().removeFromLabels(ZONE).endMetadata().build());
        Pod app = pod("app", Map.of("app", "app"), affinity(ZONE, "app", "cache"));
        // no cache pod anywhere, and the pod is not one itself: nowhere
        assertThat(filter(new InterPodAffinity(), app).values()).containsOnly("node(s) didn't match pod affinity rules");
        // a group with affinity to itself: the first may go wherever the topology key exists
        Pod first = pod("cache-0", Map.of("app", "cache"), affinity(ZONE, "app", "cache"));
        assertThat(filter(new InterPodAffinity(), first)).containsExactly(Map.entry("n1", "ok"), Map.entry("n2", "ok"),
                Map.entry("n3", "ok"), Map.entry("n4", "node(s) didn't match pod affinity rules"));
        bind(pod("cache-1", Map.of("app", "cache"), p -> {
        }), "n3");
        assertThat(filter(new InterPodAffinity(), app)).containsExactly(Map.entry("n1", "node(s) didn't match pod affinity rules"),
                Map.entry("n2", "node(s) didn't match pod affinity rules"), Map.entry("n3", "ok"),
                Map.entry("n4", "node(s) didn't match pod affinity rules"));
    }

    @Test
    void termsSelectNamespacesByNameBySelectorOrTheirOwn() {
        threeNodesInTwoZones();
        Map<String, Map<String, String>> namespaces = Map.of("team-a", Map.of("team", "a"), "other", Map.of());
        cache.namespaceLabels(namespaces::get);
        bind(new PodBuilder(pod("db", Map.of("app", "db"), p -> {
        })).editMetadata().withNamespace("team-a").endMetadata().build(), "n1");
        Consumer<PodBuilder> bySelector = antiAffinity(HOSTNAME, "app", "db", t -> t.withNamespaceSelector(
                new LabelSelectorBuilder().addToMatchLabels("team", "a").build()));
        Consumer<PodBuilder> byName = antiAffinity(HOSTNAME, "app", "db", t -> t.withNamespaces("team-a"));
        Consumer<PodBuilder> ownNamespace = antiAffinity(HOSTNAME, "app", "db");
        Consumer<PodBuilder> allNamespaces = antiAffinity(HOSTNAME, "app", "db", t -> t.withNamespaceSelector(new LabelSelector()));
        assertThat(filter(new InterPodAffinity(), pod("a", Map.of(), bySelector)).get("n1")).isEqualTo("node(s) didn't match pod anti-affinity rules");
        assertThat(filter(new InterPodAffinity(), pod("b", Map.of(), byName)).get("n1")).isEqualTo("node(s) didn't match pod anti-affinity rules");
        assertThat(filter(new InterPodAffinity(), pod("c", Map.of(), allNamespaces)).get("n1")).isEqualTo("node(s) didn't match pod anti-affinity rules");
        assertThat(filter(new InterPodAffinity(), pod("d", Map.of(), ownNamespace)).get("n1")).isEqualTo("ok");
    }

    @Test
    void matchLabelKeysNarrowTheSelectorToPodsWithTheSameValues() {
        threeNodesInTwoZones();
        bind(pod("old", Map.of("app", "web", "pod-template-hash", "v1"), p -> {
        }), "n1");
        Pod sameVersion = pod("new", Map.of("app", "web", "pod-template-hash", "v1"),
                antiAffinity(HOSTNAME, "app", "web", t -> t.withMatchLabelKeys("pod-template-hash")));
        Pod otherVersion = pod("newer", Map.of("app", "web", "pod-template-hash", "v2"),
                antiAffinity(HOSTNAME, "app", "web", t -> t.withMatchLabelKeys("pod-template-hash")));
        Pod mismatch = pod("other", Map.of("app", "web", "pod-template-hash", "v1"),
                antiAffinity(HOSTNAME, "app", "web", t -> t.withMismatchLabelKeys("pod-template-hash")));
        assertThat(filter(new InterPodAffinity(), sameVersion).get("n1")).isEqualTo("node(s) didn't match pod anti-affinity rules");
        assertThat(filter(new InterPodAffinity(), otherVersion).get("n1")).isEqualTo("ok");
        assertThat(filter(new InterPodAffinity(), mismatch).get("n1")).isEqualTo("ok");
    }

    @Test
    void whenNoNodeFitsTheMessageIsKubernetesWithPreemptionDryRun() {
        threeNodesInTwoZones();
        for (String n : List.of("n1", "n2", "n3")) {
            bind(pod("web-" + n, Map.of("app", "web"), p -> {
            }), n);
        }
        Pod extra = pod("web-x", Map.of("app", "web"), antiAffinity(HOSTNAME, "app", "web"));
        assertThat(algorithm().schedule(PodInfo.of(extra), cache).message()).isEqualTo("0/3 nodes are available: "
                + "3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: "
                + "3 No preemption victims found for incoming pod.");
        Pod app = pod("app", Map.of("app", "app"), affinity(HOSTNAME, "app", "cache"));
        assertThat(algorithm().schedule(PodInfo.of(app), cache).message()).isEqualTo("0/3 nodes are available: "
                + "3 node(s) didn't match pod affinity rules. preemption: 0/3 nodes are available: "
                + "3 Preemption is not helpful for scheduling.");
        // a higher-priority pod would fit once a lower-priority matching pod were preempted: no preemption words
        Pod important = new PodBuilder(extra).editMetadata().withName("important").endMetadata().editSpec().withPriority(1000).endSpec().build();
        var result = algorithm().schedule(PodInfo.of(important), cache);
        assertThat(result.node()).isNull();
        assertThat(result.message()).isEqualTo("0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.");
        assertThat(result.rejectedBy()).containsExactly("InterPodAffinity");
    }

    @Test
    void topologySpreadDoNotScheduleKeepsTheSkewWithinMaxSkew() {
        threeNodesInTwoZones();
        cache.setNode(new NodeBuilder(node("n4", "b")).editMetadata().removeFromLabels(ZONE).endMetadata().build());
        bind(pod("w1", Map.of("app", "w"), p -> {
        }), "n1");
        bind(pod("w2", Map.of("app", "w"), p -> {
        }), "n2");
        bind(pod("w3", Map.of("app", "w"), p -> {
        }), "n3");
        // zone a holds 2, zone b 1: one more in a would make the skew 2
        Pod next = pod("w4", Map.of("app", "w"), spread(ZONE, 1, "DoNotSchedule", c -> {
        }));
        assertThat(filter(new PodTopologySpread(), next)).containsExactly(
                Map.entry("n1", "node(s) didn't match pod topology spread constraints"),
                Map.entry("n2", "node(s) didn't match pod topology spread constraints"), Map.entry("n3", "ok"),
                Map.entry("n4", "node(s) didn't match pod topology spread constraints (missing required label)"));
        // a pod the selector does not pick does not count itself
        Pod other = pod("x", Map.of("app", "x"), spread(ZONE, 1, "DoNotSchedule", c -> {
        }));
        assertThat(filter(new PodTopologySpread(), other).get("n1")).isEqualTo("ok");
        // fewer domains than minDomains: the global minimum counts as 0, so zone b (1 + 1) is too much as well
        Pod minDomains = pod("w5", Map.of("app", "w"), spread(ZONE, 1, "DoNotSchedule", c -> c.withMinDomains(3)));
        assertThat(filter(new PodTopologySpread(), minDomains).get("n3")).isEqualTo("node(s) didn't match pod topology spread constraints");
        // ScheduleAnyway constraints do not filter
        assertThat(new PodTopologySpread().preFilter(new CycleState(), PodInfo.of(pod("w6", Map.of("app", "w"),
                spread(ZONE, 1, "ScheduleAnyway", c -> {
                }))), cache)).isFalse();
        // and the whole message
        Pod nowhere = pod("w7", Map.of("app", "w"), spread(ZONE, 1, "DoNotSchedule", c -> c.withMinDomains(3)));
        assertThat(algorithm().schedule(PodInfo.of(nowhere), cache).message()).isEqualTo("0/4 nodes are available: "
                + "1 node(s) didn't match pod topology spread constraints (missing required label), "
                + "3 node(s) didn't match pod topology spread constraints. preemption: 0/4 nodes are available: "
                + "1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.");
    }

    @Test
    void nodeInclusionPoliciesDecideWhichDomainsCount() {
        threeNodesInTwoZones();
        cache.setNode(new NodeBuilder(node("n4", "c")).editSpec().addNewTaint().withKey("dedicated").withValue("x")
                .withEffect("NoSchedule").endTaint().endSpec().build());
        bind(pod("w1", Map.of("app", "w"), p -> {
        }), "n1");
        bind(pod("w2", Map.of("app", "w"), p -> {
        }), "n3");
        // zone c (tainted, empty) counts by default: minimum 0, so zones a and b (1 each) are full
        Pod honoringNothing = pod("w3", Map.of("app", "w"), spread(ZONE, 1, "DoNotSchedule", c -> {
        }));
        assertThat(filter(new PodTopologySpread(), honoringNothing).get("n1")).isEqualTo("node(s) didn't match pod topology spread constraints");
        // with nodeTaintsPolicy Honor the tainted zone does not count: a and b are even
        Pod honoringTaints = pod("w4", Map.of("app", "w"), spread(ZONE, 1, "DoNotSchedule", c -> c.withNodeTaintsPolicy("Honor")));
        assertThat(filter(new PodTopologySpread(), honoringTaints).get("n1")).isEqualTo("ok");
        // nodeAffinityPolicy Honor (the default): only zones the pod may go to count
        Pod onlyA = pod("w5", Map.of("app", "w"), spread(ZONE, 1, "DoNotSchedule", c -> c.withNodeTaintsPolicy("Honor")));
        onlyA.getSpec().setNodeSelector(Map.of(ZONE, "a"));
        assertThat(filter(new PodTopologySpread(), onlyA).get("n2")).isEqualTo("ok");
    }

    @Test
    void preferredAffinityAndAntiAffinityScoreTheirDomains() {
        threeNodesInTwoZones();
        bind(pod("cache", Map.of("app", "cache"), p -> {
        }), "n3");
        Pod near = pod("near", Map.of(), preferred(ZONE, "app", "cache", 10, false));
        assertThat(scores("InterPodAffinity", near)).containsExactly(Map.entry("n1", 0L), Map.entry("n2", 0L), Map.entry("n3", 100L));
        Pod far = pod("far", Map.of(), preferred(ZONE, "app", "cache", 10, true));
        assertThat(scores("InterPodAffinity", far)).containsExactly(Map.entry("n1", 100L), Map.entry("n2", 100L), Map.entry("n3", 0L));
        // symmetric: an existing pod's required affinity draws the pods it names (hardPodAffinityWeight 1)
        bind(pod("follower", Map.of("app", "follower"), affinity(HOSTNAME, "app", "leader")), "n2");
        assertThat(scores("InterPodAffinity", pod("leader", Map.of("app", "leader"), p -> {
        }))).containsExactly(Map.entry("n1", 0L), Map.entry("n2", 100L), Map.entry("n3", 0L));
    }

    @Test
    void topologySpreadScoresFavourTheEmptierDomainAndSystemDefaultsSpreadAControllersPods() {
        threeNodesInTwoZones();
        bind(pod("w1", Map.of("app", "w"), p -> {
        }), "n1");
        bind(pod("w2", Map.of("app", "w"), p -> {
        }), "n2");
        // zone a: 2 pods, zone b: 0; weight log(2 + 2): a scores 2.77 -> 3, b 0; normalized 100 * (3 + 0 - s) / 3
        Pod soft = pod("w3", Map.of("app", "w"), spread(ZONE, 1, "ScheduleAnyway", c -> {
        }));
        assertThat(scores("PodTopologySpread", soft)).containsExactly(Map.entry("n1", 0L), Map.entry("n2", 0L), Map.entry("n3", 100L));
        // no constraints, owned by a ReplicaSet: hostname (maxSkew 3) and zone (maxSkew 5) over the owner's pods
        String uid = "rs-uid";
        bind(owned(pod("r1", Map.of("app", "r"), p -> {
        }), uid), "n1");
        // hostname: n1 1 * log(3 + 2) + 2 = 3.61, others 2; zone: a 1 * log(2 + 2) + 4 = 5.39, b 4
        // n1 9.0 -> 9, n2 7.39 -> 7, n3 6; normalized 100 * (9 + 6 - s) / 9
        assertThat(scores("PodTopologySpread", owned(pod("r2", Map.of("app", "r"), p -> {
        }), uid))).containsExactly(Map.entry("n1", 66L), Map.entry("n2", 88L), Map.entry("n3", 100L));
        // a replica being deleted does not count (countPodsMatchSelector skips terminating pods)
        Pod leaving = owned(pod("r0", Map.of("app", "r"), p -> p.editMetadata().withDeletionTimestamp("2026-11-27T00:00:00Z").endMetadata()), uid);
        bind(leaving, "n2");
        assertThat(scores("PodTopologySpread", owned(pod("r3", Map.of("app", "r"), p -> {
        }), uid))).containsExactly(Map.entry("n1", 66L), Map.entry("n2", 88L), Map.entry("n3", 100L));
        // a pod with neither constraints nor a controller is not spread
        assertThat(scores("PodTopologySpread", pod("lone", Map.of(), p -> {
        })).values()).containsOnly(0L);
    }

    @Test
    void aPodBoundOrRelabelledRetriesOnlyThePodsItMayHelp() {
        PodInfo app = PodInfo.of(pod("app", Map.of(), affinity(HOSTNAME, "app", "cache")));
        PodInfo cachePod = PodInfo.of(pod("cache", Map.of("app", "cache"), p -> {
        }));
        PodInfo other = PodInfo.of(pod("other", Map.of("app", "other"), p -> {
        }));
        assertThat(InterPodAffinity.schedulableAfterPodChange(app, null, cachePod, ns -> Map.of())).isTrue();
        assertThat(InterPodAffinity.schedulableAfterPodChange(app, null, other, ns -> Map.of())).isFalse();
        assertThat(InterPodAffinity.schedulableAfterPodChange(app, other, cachePod, ns -> Map.of())).isTrue();
        PodInfo lonely = PodInfo.of(pod("lonely", Map.of(), antiAffinity(HOSTNAME, "app", "cache")));
        assertThat(InterPodAffinity.schedulableAfterPodChange(lonely, cachePod, other, ns -> Map.of())).isTrue();
        assertThat(InterPodAffinity.schedulableAfterPodChange(lonely, null, cachePod, ns -> Map.of())).isFalse();
        PodInfo spreading = PodInfo.of(pod("s", Map.of("app", "w"), spread(ZONE, 1, "DoNotSchedule", c -> {
        })));
        PodInfo w = PodInfo.of(pod("w", Map.of("app", "w"), p -> {
        }));
        assertThat(PodTopologySpread.schedulableAfterPodChange(spreading, null, w)).isTrue();
        assertThat(PodTopologySpread.schedulableAfterPodChange(spreading, null, other)).isFalse();
        assertThat(PodTopologySpread.schedulableAfterPodChange(spreading, w, other)).isTrue();
        assertThat(PodTopologySpread.schedulableAfterPodChange(spreading, null,
                PodInfo.of(new PodBuilder(w.pod).editMetadata().withNamespace("elsewhere").endMetadata().build()))).isFalse();
    }

    // ---------------------------------------------------------------- helpers

    private static SchedulingAlgorithm algorithm() {
        return new SchedulingAlgorithm(Filter.defaults(), Score.defaults());
    }

    /** Each node's verdict, "ok" or the reason, after the filter's PreFilter. */
    private Map<String, String> filter(Filter filter, Pod pod) {
        PodInfo info = PodInfo.of(pod);
        CycleState state = new CycleState();
        boolean active = filter.preFilter(state, info, cache);
        Map<String, String> out = new LinkedHashMap<>();
        for (NodeInfo node : cache.nodes()) {
            FilterStatus s = active ? filter.filter(state, info, node) : null;
            out.put(node.name(), s == null ? "ok" : String.join(", ", s.reasons()));
        }
        return out;
    }

    /** One score plugin's normalized scores over every node (all feasible). */
    private Map<String, Long> scores(String plugin, Pod pod) {
        Score score = Score.defaults().stream().filter(s -> s.name().equals(plugin)).findFirst().orElseThrow();
        PodInfo info = PodInfo.of(pod);
        CycleState state = new CycleState();
        List<NodeInfo> nodes = cache.nodes();
        long[] raw = new long[nodes.size()];
        if (score.preScore(state, info, nodes, cache)) {
            for (int i = 0; i < raw.length; i++) {
                raw[i] = score.score(state, info, nodes.get(i));
            }
            score.normalize(state, raw);
        }
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < raw.length; i++) {
            out.put(nodes.get(i).name(), raw[i]);
        }
        return out;
    }

    private void bind(Pod pod, String node) {
        cache.addOrUpdateBound(PodInfo.of(pod), node);
    }

    private static Pod pod(String name, Map<String, String> labels, Consumer<PodBuilder> customize) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace("default").withUid(name + "-uid")
                .withLabels(new HashMap<>(labels)).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("x").withNewResources()
                .addToRequests("cpu", new Quantity("100m")).endResources().endContainer().endSpec();
        customize.accept(b);
        return b.build();
    }

    private static Pod owned(Pod pod, String uid) {
        pod.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet")
                .withName("rs").withUid(uid).withController(true).build()));
        return pod;
    }

    private static PodAffinityTerm term(String topologyKey, String key, String value, Consumer<PodAffinityTermBuilder> customize) {
        PodAffinityTermBuilder t = new PodAffinityTermBuilder().withTopologyKey(topologyKey)
                .withLabelSelector(new LabelSelectorBuilder().addToMatchLabels(key, value).build());
        customize.accept(t);
        return t.build();
    }

    private static Consumer<PodBuilder> antiAffinity(String topologyKey, String key, String value) {
        return antiAffinity(topologyKey, key, value, t -> {
        });
    }

    private static Consumer<PodBuilder> antiAffinity(String topologyKey, String key, String value, Consumer<PodAffinityTermBuilder> customize) {
        return p -> p.editSpec().withNewAffinity().withNewPodAntiAffinity()
                .addToRequiredDuringSchedulingIgnoredDuringExecution(term(topologyKey, key, value, customize))
                .endPodAntiAffinity().endAffinity().endSpec();
    }

    private static Consumer<PodBuilder> affinity(String topologyKey, String key, String value) {
        return p -> p.editSpec().withNewAffinity().withNewPodAffinity()
                .addToRequiredDuringSchedulingIgnoredDuringExecution(term(topologyKey, key, value, t -> {
                }))
                .endPodAffinity().endAffinity().endSpec();
    }

    private static Consumer<PodBuilder> preferred(String topologyKey, String key, String value, int weight, boolean anti) {
        var weighted = new WeightedPodAffinityTermBuilder().withWeight(weight).withPodAffinityTerm(term(topologyKey, key, value, t -> {
        })).build();
        return anti
                ? p -> p.editSpec().withNewAffinity().withNewPodAntiAffinity().addToPreferredDuringSchedulingIgnoredDuringExecution(weighted)
                .endPodAntiAffinity().endAffinity().endSpec()
                : p -> p.editSpec().withNewAffinity().withNewPodAffinity().addToPreferredDuringSchedulingIgnoredDuringExecution(weighted)
                .endPodAffinity().endAffinity().endSpec();
    }

    private static Consumer<PodBuilder> spread(String topologyKey, int maxSkew, String when, Consumer<TopologySpreadConstraintBuilder> customize) {
        return p -> {
            TopologySpreadConstraintBuilder c = new TopologySpreadConstraintBuilder().withTopologyKey(topologyKey).withMaxSkew(maxSkew)
                    .withWhenUnsatisfiable(when).withLabelSelector(new LabelSelectorBuilder().addToMatchLabels("app", "w").build());
            customize.accept(c);
            p.editSpec().addToTopologySpreadConstraints(c.build()).endSpec();
        };
    }

    private static Node node(String name, String zone) {
        Map<String, Quantity> capacity = Map.of("cpu", new Quantity("4"), "memory", new Quantity("8Gi"), "pods", new Quantity("110"));
        return new NodeBuilder().withNewMetadata().withName(name).addToLabels(HOSTNAME, name).addToLabels(ZONE, zone).endMetadata()
                .withNewSpec().endSpec().withNewStatus().withAllocatable(capacity).withCapacity(capacity)
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build();
    }
}
