package dev.coracle.server.nodeproxy;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.InternalClient;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The container a {@code pods/log} or {@code pods/exec} request names, resolved and checked as
 * kube-apiserver does ({@code pkg/registry/core/pod/strategy.go}): the default container when the
 * pod has one, errors worded as Kubernetes words them.
 */
record PodTarget(Pod pod, String container, Node node) {

    static Optional<PodTarget> resolve(InternalClient client, String namespace, String name, String container) {
        Pod pod = client.get(Pod.class, namespace, name).orElseThrow(() -> ApiException.notFound("", "pods", name));
        String chosen = container == null || container.isEmpty() ? defaultContainer(pod) : container;
        if (allContainers(pod).noneMatch(c -> c.getName().equals(chosen))) {
            throw ApiException.badRequest("container " + chosen + " is not valid for pod " + name);
        }
        String nodeName = pod.getSpec().getNodeName();
        if (nodeName == null || nodeName.isEmpty()) {
            return Optional.empty();
        }
        Node node = client.get(Node.class, null, nodeName)
                .orElseThrow(() -> ApiException.of(404, "NotFound", "nodes \"" + nodeName + "\" not found"));
        return Optional.of(new PodTarget(pod, chosen, node));
    }

    /** The one container, the {@code kubectl.kubernetes.io/default-container} one, or a 400 listing the choices. */
    private static String defaultContainer(Pod pod) {
        List<Container> containers = pod.getSpec().getContainers();
        if (containers.size() == 1) {
            return containers.get(0).getName();
        }
        String annotated = pod.getMetadata().getAnnotations() == null ? null
                : pod.getMetadata().getAnnotations().get("kubectl.kubernetes.io/default-container");
        if (annotated != null && containers.stream().anyMatch(c -> c.getName().equals(annotated))) {
            return annotated;
        }
        String names = "[" + String.join(" ", containers.stream().map(Container::getName).toList()) + "]";
        String message = "a container name must be specified for pod " + pod.getMetadata().getName() + ", choose one of: " + names;
        List<Container> init = pod.getSpec().getInitContainers();
        if (init != null && !init.isEmpty()) {
            message += " or one of the init containers: [" + String.join(" ", init.stream().map(Container::getName).toList()) + "]";
        }
        throw ApiException.badRequest(message);
    }

    private static Stream<Container> allContainers(Pod pod) {
        return Stream.concat(pod.getSpec().getContainers().stream(),
                pod.getSpec().getInitContainers() == null ? Stream.empty() : pod.getSpec().getInitContainers().stream());
    }

    Optional<ContainerStatus> status() {
        if (pod.getStatus() == null) {
            return Optional.empty();
        }
        return Stream.concat(
                        pod.getStatus().getContainerStatuses() == null ? Stream.empty() : pod.getStatus().getContainerStatuses().stream(),
                        pod.getStatus().getInitContainerStatuses() == null ? Stream.empty() : pod.getStatus().getInitContainerStatuses().stream())
                .filter(s -> container.equals(s.getName())).findFirst();
    }

    String agentPath(String kind) {
        return NodeConnections.agentUrl(node) + "/" + kind + "/" + pod.getMetadata().getNamespace() + "/"
                + pod.getMetadata().getName() + "/" + container;
    }
}
