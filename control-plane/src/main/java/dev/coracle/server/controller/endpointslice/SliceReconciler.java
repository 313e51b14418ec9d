package dev.coracle.server.controller.endpointslice;

import dev.coracle.server.controller.endpoints.ServicePods;
import dev.coracle.server.registry.Semantic;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * endpointslice's Reconciler, as of Kubernetes 1.32, without topology hints: what to create, update and delete so a
 * Service's slices hold exactly its pods' endpoints. Endpoints are grouped by the ports they serve; existing slices
 * keep the endpoints still wanted (updated in place when they changed), new endpoints fill the slices being updated
 * first, then one unchanged slice they fit in, then new slices of at most {@code maxEndpointsPerSlice}; a Service
 * without endpoints keeps one empty placeholder slice.
 */
final class SliceReconciler {

    /** What a sync writes; a create has no name (generateName), an update carries the name it replaces. */
    record Plan(List<EndpointSlice> creates, List<EndpointSlice> updates, List<EndpointSlice> deletes, List<String> skippedPods) {
    }

    private final int maxEndpointsPerSlice;

    SliceReconciler(int maxEndpointsPerSlice) {
        this.maxEndpointsPerSlice = maxEndpointsPerSlice;
    }

    /**
     * @param existing the Service's slices managed by this controller, none being deleted
     * @param nodeZones a node name's zone label ("" without one), empty when there is no such Node
     */
    Plan plan(Service service, List<Pod> pods, List<EndpointSlice> existing, Function<String, Optional<String>> nodeZones) {
        List<EndpointSlice> creates = new ArrayList<>();
        List<EndpointSlice> updates = new ArrayList<>();
        List<EndpointSlice> deletes = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Set<String> types = PodEndpoints.addressTypes(service);
        Map<String, List<EndpointSlice>> byType = new LinkedHashMap<>();
        for (EndpointSlice slice : existing) {
            if (types.contains(slice.getAddressType())) {
                byType.computeIfAbsent(slice.getAddressType(), t -> new ArrayList<>()).add(slice);
            } else {
                deletes.add(slice); // an address type the Service no longer has
            }
        }
        for (String type : types) {
            Plan p = planByAddressType(service, pods, byType.getOrDefault(type, List.of()), nodeZones, type, skipped);
            creates.addAll(p.creates());
            updates.addAll(p.updates());
            deletes.addAll(p.deletes());
        }
        return reuseDeleted(service, new Plan(creates, updates, deletes, skipped));
    }

    private Plan planByAddressType(Service service, List<Pod> pods, List<EndpointSlice> existing,
                                   Function<String, Optional<String>> nodeZones, String addressType, List<String> skipped) {
        List<EndpointSlice> creates = new ArrayList<>();
        List<EndpointSlice> updates = new ArrayList<>();
        List<EndpointSlice> deletes = new ArrayList<>();
        Map<String, List<EndpointSlice>> existingByPorts = new LinkedHashMap<>();
        for (EndpointSlice slice : existing) {
            if (ownedBy(slice, service)) {
                existingByPorts.computeIfAbsent(PodEndpoints.portsKey(slice.getPorts()), k -> new ArrayList<>()).add(slice);
            } else {
                deletes.add(slice);
            }
        }
        Map<String, List<EndpointPort>> desiredPorts = new LinkedHashMap<>();
        Map<String, Map<String, Endpoint>> desiredByPorts = new LinkedHashMap<>();
        boolean publishNotReady = Boolean.TRUE.equals(service.getSpec().getPublishNotReadyAddresses());
        for (Pod pod : pods) {
            if (!ServicePods.shouldBeInEndpoints(pod, true)) {
                continue;
            }
            List<EndpointPort> ports = PodEndpoints.ports(service, pod);
            String portsKey = PodEndpoints.portsKey(ports);
            desiredPorts.putIfAbsent(portsKey, ports);
            Map<String, Endpoint> desired = desiredByPorts.computeIfAbsent(portsKey, k -> new LinkedHashMap<>());
            Optional<String> zone = nodeZones.apply(pod.getSpec().getNodeName());
            if (zone.isEmpty() && !publishNotReady) {
                // a pod on a Node that does not exist is left out until it does (or the pod goes)
                skipped.add(pod.getMetadata().getName());
                continue;
            }
            Endpoint endpoint = PodEndpoints.endpoint(pod, zone.orElse(null), service, addressType);
            if (!endpoint.getAddresses().isEmpty()) {
                desired.put(PodEndpoints.endpointKey(endpoint), endpoint);
            }
        }
        for (Map.Entry<String, Map<String, Endpoint>> e : desiredByPorts.entrySet()) {
            Plan p = planByPorts(service, existingByPorts.getOrDefault(e.getKey(), List.of()), e.getValue(),
                    desiredPorts.get(e.getKey()), addressType);
            creates.addAll(p.creates());
            updates.addAll(p.updates());
            deletes.addAll(p.deletes());
        }
        existingByPorts.forEach((ports, slices) -> {
            if (!desiredByPorts.containsKey(ports)) {
                deletes.addAll(slices); // a set of ports no pod serves any more
            }
        });
        if (existing.size() == deletes.size() && creates.isEmpty()) {
            // no endpoints at all: one empty slice stays, so the Service is seen to have none
            EndpointSlice placeholder = newSlice(service, List.of(), addressType);
            if (deletes.size() == 1 && samePlaceholder(deletes.get(0), placeholder)) {
                deletes.clear();
            } else {
                creates.add(placeholder);
            }
        }
        return new Plan(creates, updates, deletes, List.of());
    }

    /** reconcileByPortMapping. */
    private Plan planByPorts(Service service, List<EndpointSlice> existing, Map<String, Endpoint> desired,
                             List<EndpointPort> ports, String addressType) {
        Map<String, EndpointSlice> byName = new LinkedHashMap<>();
        Set<String> unchanged = new LinkedHashSet<>();
        Set<String> toUpdate = new LinkedHashSet<>();
        Set<String> toDelete = new LinkedHashSet<>();
        Map<String, Endpoint> left = new LinkedHashMap<>(desired);

        // 1. keep the endpoints still wanted in the slices they are in, as they are wanted now
        for (EndpointSlice slice : existing) {
            String name = slice.getMetadata().getName();
            byName.put(name, slice);
            List<Endpoint> kept = new ArrayList<>();
            boolean endpointChanged = false;
            List<Endpoint> current = slice.getEndpoints() == null ? List.of() : slice.getEndpoints();
            for (Endpoint endpoint : current) {
                Endpoint wanted = left.remove(PodEndpoints.endpointKey(endpoint));
                if (wanted != null) {
                    kept.add(wanted);
                    endpointChanged |= !Semantic.equal(wanted, endpoint);
                }
            }
            Map<String, String> labels = labels(service);
            boolean labelsChanged = !Semantic.equal(labels, slice.getMetadata().getLabels());
            if (endpointChanged || kept.size() != current.size()) {
                if (kept.isEmpty()) {
                    toDelete.add(name);
                } else {
                    EndpointSlice copy = Semantic.copy(slice);
                    copy.setEndpoints(kept);
                    copy.getMetadata().setLabels(labels);
                    byName.put(name, copy);
                    toUpdate.add(name);
                }
            } else if (labelsChanged) {
                EndpointSlice copy = Semantic.copy(slice);
                copy.getMetadata().setLabels(labels);
                byName.put(name, copy);
                toUpdate.add(name);
            } else {
                unchanged.add(name);
            }
        }

        // 2. the slices being updated anyway take new endpoints first, the fullest first
        if (!left.isEmpty() && !toUpdate.isEmpty()) {
            List<EndpointSlice> updating = toUpdate.stream().map(byName::get)
                    .sorted(Comparator.comparingInt((EndpointSlice s) -> s.getEndpoints().size()).reversed()).toList();
            for (EndpointSlice slice : updating) {
                fill(slice, left);
            }
        }

        // 3. then an unchanged slice they all fit in, else new slices
        List<EndpointSlice> creates = new ArrayList<>();
        while (!left.isEmpty()) {
            EndpointSlice target = null;
            if (left.size() < maxEndpointsPerSlice && !unchanged.isEmpty()) {
                target = sliceToFill(unchanged.stream().map(byName::get).toList(), left.size());
            }
            if (target == null) {
                target = newSlice(service, ports, addressType);
            } else {
                target = Semantic.copy(target);
                byName.put(target.getMetadata().getName(), target);
            }
            fill(target, left);
            if (target.getMetadata().getName() != null) {
                toUpdate.add(target.getMetadata().getName());
                unchanged.remove(target.getMetadata().getName());
            } else {
                creates.add(target);
            }
        }
        return new Plan(creates, toUpdate.stream().map(byName::get).toList(), toDelete.stream().map(byName::get).toList(), List.of());
    }

    private void fill(EndpointSlice slice, Map<String, Endpoint> left) {
        List<Endpoint> endpoints = slice.getEndpoints() == null ? new ArrayList<>() : new ArrayList<>(slice.getEndpoints());
        var it = left.entrySet().iterator();
        while (it.hasNext() && endpoints.size() < maxEndpointsPerSlice) {
            endpoints.add(it.next().getValue());
            it.remove();
        }
        slice.setEndpoints(endpoints);
    }

    /** getSliceToFill: the unchanged slice the endpoints fill most closely, if any has room for all of them. */
    private EndpointSlice sliceToFill(List<EndpointSlice> slices, int count) {
        int closest = maxEndpointsPerSlice;
        EndpointSlice best = null;
        for (EndpointSlice slice : slices) {
            int size = slice.getEndpoints() == null ? 0 : slice.getEndpoints().size();
            int diff = maxEndpointsPerSlice - (count + size);
            if (diff >= 0 && diff < closest) {
                closest = diff;
                best = slice;
                if (diff == 0) {
                    break;
                }
            }
        }
        return best;
    }

    /** finalize: a slice about to be created replaces, by an update, one about to be deleted (same type, same owner). */
    private Plan reuseDeleted(Service service, Plan plan) {
        List<EndpointSlice> creates = new ArrayList<>(plan.creates());
        List<EndpointSlice> updates = new ArrayList<>(plan.updates());
        List<EndpointSlice> deletes = new ArrayList<>(plan.deletes());
        for (int i = 0; i < deletes.size() && !creates.isEmpty(); ) {
            EndpointSlice old = deletes.get(i);
            EndpointSlice created = creates.get(creates.size() - 1);
            if (old.getAddressType().equals(created.getAddressType()) && ownedBy(old, service)) {
                created.getMetadata().setName(old.getMetadata().getName());
                creates.remove(creates.size() - 1);
                updates.add(created);
                deletes.remove(i);
            } else {
                i++;
            }
        }
        return new Plan(creates, updates, deletes, plan.skippedPods());
    }

    /** newEndpointSlice: named after the Service by generateName, owned by it, labelled with it. */
    static EndpointSlice newSlice(Service service, List<EndpointPort> ports, String addressType) {
        EndpointSlice slice = new EndpointSlice();
        ObjectMeta meta = new ObjectMeta();
        meta.setGenerateName(service.getMetadata().getName() + "-");
        meta.setNamespace(service.getMetadata().getNamespace());
        meta.setLabels(labels(service));
        OwnerReference owner = new OwnerReference();
        owner.setApiVersion("v1");
        owner.setKind("Service");
        owner.setName(service.getMetadata().getName());
        owner.setUid(service.getMetadata().getUid());
        owner.setController(true);
        owner.setBlockOwnerDeletion(true);
        meta.setOwnerReferences(new ArrayList<>(List.of(owner)));
        slice.setMetadata(meta);
        slice.setAddressType(addressType);
        slice.setPorts(new ArrayList<>(ports));
        slice.setEndpoints(new ArrayList<>());
        return slice;
    }

    /**
     * setEndpointSliceLabels: the Service's labels, but for the reserved ones, which are the controller's:
     * the Service's name, the managing controller, and {@code service.kubernetes.io/headless} for a headless Service.
     */
    static Map<String, String> labels(Service service) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (service.getMetadata().getLabels() != null) {
            service.getMetadata().getLabels().forEach((k, v) -> {
                if (!k.equals(EndpointSliceController.SERVICE_NAME_LABEL) && !k.equals(EndpointSliceController.MANAGED_BY_LABEL)
                        && !k.equals(EndpointSliceController.HEADLESS_LABEL)) {
                    labels.put(k, v);
                }
            });
        }
        String clusterIP = service.getSpec().getClusterIP();
        if (clusterIP == null || clusterIP.isEmpty() || clusterIP.equals("None")) {
            labels.put(EndpointSliceController.HEADLESS_LABEL, "");
        }
        labels.put(EndpointSliceController.SERVICE_NAME_LABEL, service.getMetadata().getName());
        labels.put(EndpointSliceController.MANAGED_BY_LABEL, EndpointSliceController.CONTROLLER_NAME);
        return labels;
    }

    static boolean ownedBy(EndpointSlice slice, Service service) {
        List<OwnerReference> owners = slice.getMetadata().getOwnerReferences();
        return owners != null && owners.stream().anyMatch(o -> service.getMetadata().getUid().equals(o.getUid())
                && "Service".equals(o.getKind()) && "v1".equals(o.getApiVersion()));
    }

    /** placeholderSliceCompare: the same namespace, labels, type, and no ports or endpoints. */
    private static boolean samePlaceholder(EndpointSlice existing, EndpointSlice placeholder) {
        return existing.getMetadata().getNamespace().equals(placeholder.getMetadata().getNamespace())
                && Semantic.equal(existing.getMetadata().getLabels(), placeholder.getMetadata().getLabels())
                && existing.getAddressType().equals(placeholder.getAddressType())
                && Semantic.equal(existing.getPorts(), placeholder.getPorts())
                && Semantic.equal(existing.getEndpoints(), placeholder.getEndpoints());
    }
}
