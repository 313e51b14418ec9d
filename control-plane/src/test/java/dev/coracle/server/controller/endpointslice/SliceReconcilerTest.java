package dev.coracle.server.controller.endpointslice;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The slices the controller plans for a Service's pods: sizes, in-place updates, reuse, placeholders. */
class SliceReconcilerTest {

    private static final Function<String, Optional<String>> NODES = n -> n.startsWith("node") ? Optional.of("") : Optional.empty();
    private final SliceReconciler reconciler = new SliceReconciler(100);

    private static final Service WEB = new ServiceBuilder().withNewMetadata().withName("web").withNamespace("ns").withUid("svc-uid").endMetadata()
            .withNewSpec().withClusterIP("10.43.0.10").addToSelector("app", "web").addNewPort().withPort(80).endPort().endSpec().build();

    private static Pod pod(int i, String node) {
        return new PodBuilder().withNewMetadata().withName("web-" + i).withNamespace("ns").withUid("uid-" + i).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("c").endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("10.42.0." + i).addNewPodIP("10.42.0." + i)
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build();
    }

    private static List<Pod> pods(int n) {
        return IntStream.range(1, n + 1).mapToObj(i -> pod(i, "node-1")).toList();
    }

    /** What the API server would return for a planned create. */
    private static List<EndpointSlice> created(List<EndpointSlice> creates) {
        List<EndpointSlice> out = new ArrayList<>();
        for (int i = 0; i < creates.size(); i++) {
            EndpointSlice s = creates.get(i);
            s.getMetadata().setName("web-" + i);
            out.add(s);
        }
        return out;
    }

    @Test
    void endpointsAreSplitIntoSlicesOfAtMostAHundred() {
        SliceReconciler.Plan plan = reconciler.plan(WEB, pods(150), List.of(), NODES);
        assertThat(plan.creates()).extracting(s -> s.getEndpoints().size()).containsExactlyInAnyOrder(100, 50);
        assertThat(plan.updates()).isEmpty();
        assertThat(plan.deletes()).isEmpty();
    }

    @Test
    void aGonePodIsRemovedInPlaceAndANewOneFillsAnUnchangedSlice() {
        List<EndpointSlice> existing = created(reconciler.plan(WEB, pods(3), List.of(), NODES).creates());
        assertThat(reconciler.plan(WEB, pods(3), existing, NODES)).satisfies(p -> {
            assertThat(p.creates()).isEmpty();
            assertThat(p.updates()).isEmpty();
            assertThat(p.deletes()).isEmpty();
        });

        SliceReconciler.Plan fewer = reconciler.plan(WEB, pods(2), existing, NODES);
        assertThat(fewer.updates()).singleElement().satisfies(s -> {
            assertThat(s.getMetadata().getName()).isEqualTo("web-0");
            assertThat(s.getEndpoints()).hasSize(2);
        });
        assertThat(fewer.creates()).isEmpty();

        SliceReconciler.Plan more = reconciler.plan(WEB, pods(4), existing, NODES);
        assertThat(more.updates()).singleElement().satisfies(s -> assertThat(s.getEndpoints()).hasSize(4));
        assertThat(more.creates()).isEmpty();
    }

    @Test
    void noPodsMeansOnePlaceholderAndPodsOnMissingNodesWait() {
        SliceReconciler.Plan none = reconciler.plan(WEB, List.of(), List.of(), NODES);
        assertThat(none.creates()).singleElement().satisfies(s -> {
            assertThat(s.getEndpoints()).isEmpty();
            assertThat(s.getPorts()).isEmpty();
            assertThat(s.getMetadata().getGenerateName()).isEqualTo("web-");
        });
        List<EndpointSlice> placeholder = created(none.creates());
        assertThat(reconciler.plan(WEB, List.of(), placeholder, NODES).creates()).isEmpty();

        // the placeholder is reused, by an update, for the first endpoints; a pod whose Node is unknown is left out
        SliceReconciler.Plan first = reconciler.plan(WEB, List.of(pod(1, "node-1"), pod(2, "gone")), placeholder, NODES);
        assertThat(first.creates()).isEmpty();
        assertThat(first.deletes()).isEmpty();
        assertThat(first.updates()).singleElement().satisfies(s -> {
            assertThat(s.getMetadata().getName()).isEqualTo("web-0");
            assertThat(s.getEndpoints()).singleElement().satisfies(e -> assertThat(e.getAddresses()).containsExactly("10.42.0.1"));
            assertThat(s.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(80));
        });
        assertThat(first.skippedPods()).containsExactly("web-2");
    }
}
