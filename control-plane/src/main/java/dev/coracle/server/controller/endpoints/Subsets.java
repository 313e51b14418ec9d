package dev.coracle.server.controller.endpoints;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.ObjectReference;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * pkg/api/v1/endpoints' RepackSubsets and SortSubsets, and the controller's truncateEndpoints: subsets
 * in their canonical form, where every distinct set of addresses (ready and not) appears once with all
 * the ports it serves, so two computations of the same endpoints compare equal.
 */
final class Subsets {

    /** The most addresses one Endpoints object holds; beyond it they are truncated. */
    static final int MAX_CAPACITY = 1000;

    private Subsets() {
    }

    private record AddressKey(String ip, String uid) {
        static AddressKey of(EndpointAddress a) {
            return new AddressKey(a.getIp(), a.getTargetRef() == null ? null : a.getTargetRef().getUid());
        }
    }

    private record PortKey(String name, int port, String protocol, String appProtocol) {
        static final PortKey NONE = new PortKey(null, -1, null, null);

        static PortKey of(EndpointPort p) {
            return new PortKey(p.getName(), p.getPort() == null ? 0 : p.getPort(), p.getProtocol(), p.getAppProtocol());
        }

        EndpointPort toPort() {
            EndpointPort p = new EndpointPort();
            p.setName(name);
            p.setPort(port);
            p.setProtocol(protocol);
            p.setAppProtocol(appProtocol);
            return p;
        }
    }

    static List<EndpointSubset> repack(List<EndpointSubset> subsets) {
        // each port, and the addresses offering it (ready wins over not ready)
        Map<AddressKey, EndpointAddress> addresses = new LinkedHashMap<>();
        Map<PortKey, Map<AddressKey, Boolean>> byPort = new LinkedHashMap<>();
        for (EndpointSubset subset : subsets) {
            List<PortKey> ports = subset.getPorts() == null || subset.getPorts().isEmpty()
                    ? List.of(PortKey.NONE) : subset.getPorts().stream().map(PortKey::of).toList();
            for (PortKey port : ports) {
                for (EndpointAddress a : nonNull(subset.getAddresses())) {
                    map(a, port, true, addresses, byPort);
                }
                for (EndpointAddress a : nonNull(subset.getNotReadyAddresses())) {
                    map(a, port, false, addresses, byPort);
                }
            }
        }
        // then each distinct set of addresses, and the ports it offers
        Map<String, Map<AddressKey, Boolean>> sets = new LinkedHashMap<>();
        Map<String, List<PortKey>> portsOfSet = new LinkedHashMap<>();
        for (Map.Entry<PortKey, Map<AddressKey, Boolean>> e : byPort.entrySet()) {
            String key = setKey(e.getValue());
            sets.put(key, e.getValue());
            List<PortKey> ports = portsOfSet.computeIfAbsent(key, k -> new ArrayList<>());
            if (e.getKey().port() > 0) {
                ports.add(e.getKey());
            }
        }
        List<EndpointSubset> out = new ArrayList<>();
        for (Map.Entry<String, List<PortKey>> e : portsOfSet.entrySet()) {
            List<EndpointAddress> ready = new ArrayList<>();
            List<EndpointAddress> notReady = new ArrayList<>();
            sets.get(e.getKey()).forEach((k, isReady) -> (isReady ? ready : notReady).add(addresses.get(k)));
            EndpointSubset subset = new EndpointSubset();
            subset.setAddresses(sortAddresses(ready));
            subset.setNotReadyAddresses(sortAddresses(notReady));
            subset.setPorts(e.getValue().stream().sorted(Comparator.comparing((PortKey p) -> Objects.toString(p.name(), ""))
                    .thenComparingInt(PortKey::port).thenComparing(p -> Objects.toString(p.protocol(), ""))).map(PortKey::toPort).toList());
            out.add(subset);
        }
        out.sort(Comparator.comparing(Subsets::subsetOrder));
        return out;
    }

    private static void map(EndpointAddress address, PortKey port, boolean ready, Map<AddressKey, EndpointAddress> addresses,
                            Map<PortKey, Map<AddressKey, Boolean>> byPort) {
        AddressKey key = AddressKey.of(address);
        addresses.putIfAbsent(key, address);
        Map<AddressKey, Boolean> set = byPort.computeIfAbsent(port, p -> new LinkedHashMap<>());
        Boolean was = set.get(key);
        if (was == null || !was) {
            set.put(key, ready);
        }
    }

    private static String setKey(Map<AddressKey, Boolean> set) {
        return set.entrySet().stream().map(e -> e.getKey().ip() + "/" + e.getKey().uid() + "=" + e.getValue()).sorted()
                .reduce("", (a, b) -> a + ";" + b);
    }

    /** LessEndpointAddress: by IP, then by the target's uid. */
    private static List<EndpointAddress> sortAddresses(List<EndpointAddress> list) {
        list.sort(Comparator.comparing((EndpointAddress a) -> Objects.toString(a.getIp(), ""))
                .thenComparing(a -> a.getTargetRef() == null ? "" : Objects.toString(a.getTargetRef().getUid(), "")));
        return list;
    }

    private static String subsetOrder(EndpointSubset s) {
        StringBuilder b = new StringBuilder();
        nonNull(s.getAddresses()).forEach(a -> b.append(a.getIp()).append(','));
        b.append('|');
        nonNull(s.getNotReadyAddresses()).forEach(a -> b.append(a.getIp()).append(','));
        b.append('|');
        nonNull(s.getPorts()).forEach(p -> b.append(p.getName()).append(':').append(p.getPort()).append(','));
        return b.toString();
    }

    /** truncateEndpoints: ready addresses first, each subset keeping its share; true if anything was cut. */
    static boolean truncate(List<EndpointSubset> subsets) {
        int totalReady = 0;
        int totalNotReady = 0;
        for (EndpointSubset s : subsets) {
            totalReady += nonNull(s.getAddresses()).size();
            totalNotReady += nonNull(s.getNotReadyAddresses()).size();
        }
        if (totalReady + totalNotReady <= MAX_CAPACITY) {
            return false;
        }
        boolean truncateReady = totalReady > MAX_CAPACITY;
        int max = truncateReady ? MAX_CAPACITY : MAX_CAPACITY - totalReady;
        int total = truncateReady ? totalReady : totalNotReady;
        int canBeAdded = max;
        for (EndpointSubset s : subsets) {
            int inSubset = truncateReady ? nonNull(s.getAddresses()).size() : nonNull(s.getNotReadyAddresses()).size();
            int toBeAdded = Math.min(canBeAdded, (int) Math.ceil((double) inSubset / total * max));
            if (truncateReady) {
                s.setAddresses(first(s.getAddresses(), toBeAdded));
                s.setNotReadyAddresses(new ArrayList<>());
                canBeAdded -= s.getAddresses().size();
            } else {
                s.setNotReadyAddresses(first(s.getNotReadyAddresses(), toBeAdded));
                canBeAdded -= s.getNotReadyAddresses().size();
            }
        }
        return true;
    }

    static int count(List<EndpointSubset> subsets) {
        int n = 0;
        for (EndpointSubset s : nonNull(subsets)) {
            n += nonNull(s.getAddresses()).size() + nonNull(s.getNotReadyAddresses()).size();
        }
        return n;
    }

    private static List<EndpointAddress> first(List<EndpointAddress> list, int n) {
        List<EndpointAddress> all = nonNull(list);
        return all.size() <= n ? new ArrayList<>(all) : new ArrayList<>(all.subList(0, n));
    }

    /** Equal subsets, apart from the resourceVersion of target references (endpointSubsetsEqualIgnoreResourceVersion). */
    static boolean sameIgnoringResourceVersion(List<EndpointSubset> a, List<EndpointSubset> b) {
        return normalized(a).equals(normalized(b));
    }

    private static List<List<Object>> normalized(List<EndpointSubset> subsets) {
        List<List<Object>> out = new ArrayList<>();
        for (EndpointSubset s : nonNull(subsets)) {
            out.add(List.of(addressesOf(s.getAddresses()), addressesOf(s.getNotReadyAddresses()),
                    nonNull(s.getPorts()).stream().map(PortKey::of).toList()));
        }
        return out;
    }

    private static List<List<String>> addressesOf(List<EndpointAddress> addresses) {
        List<List<String>> out = new ArrayList<>();
        for (EndpointAddress a : nonNull(addresses)) {
            ObjectReference r = a.getTargetRef();
            out.add(java.util.Arrays.asList(a.getIp(), a.getHostname(), a.getNodeName(),
                    r == null ? null : r.getKind(), r == null ? null : r.getNamespace(), r == null ? null : r.getName(),
                    r == null ? null : r.getUid()));
        }
        return out;
    }

    static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }
}
