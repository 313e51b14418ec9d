package dev.coracle.server.controller.nodeipam;

import dev.coracle.server.bootstrap.ServiceNetwork.Cidr;

import java.util.BitSet;

/**
 * kube-controller-manager's cidrset: the cluster CIDR cut into equal subnets (a /24 each by default,
 * {@code --node-cidr-mask-size}), handed out lowest first. IPv4.
 */
final class CidrSet {

    private final long base;
    private final int clusterPrefix;
    private final int subnetPrefix;
    private final int count;
    private final BitSet used;

    CidrSet(String clusterCidr, int subnetMask) {
        String[] parts = clusterCidr.trim().split("/");
        if (parts.length != 2 || !parts[0].contains(".")) {
            throw new IllegalArgumentException("--cluster-cidr must be an IPv4 CIDR such as 10.42.0.0/16, got " + clusterCidr);
        }
        clusterPrefix = Integer.parseInt(parts[1]);
        if (clusterPrefix < 0 || clusterPrefix > 32) {
            throw new IllegalArgumentException("--cluster-cidr has an invalid prefix: " + clusterCidr);
        }
        subnetPrefix = Math.max(subnetMask, clusterPrefix);
        if (subnetPrefix - clusterPrefix > 24) {
            throw new IllegalArgumentException("--cluster-cidr " + clusterCidr + " holds too many /" + subnetPrefix + " subnets");
        }
        base = Cidr.parse(clusterCidr.trim()).base();
        count = 1 << (subnetPrefix - clusterPrefix);
        used = new BitSet(count);
    }

    /** The lowest free subnet, now taken; null when all are. */
    String allocateNext() {
        int index = used.nextClearBit(0);
        if (index >= count) {
            return null;
        }
        used.set(index);
        return cidr(index);
    }

    /** Marks a subnet taken (a node's existing podCIDR); false when it is not one of this set's. */
    boolean occupy(String cidr) {
        int index = indexOf(cidr);
        if (index < 0) {
            return false;
        }
        used.set(index);
        return true;
    }

    void release(String cidr) {
        int index = indexOf(cidr);
        if (index >= 0) {
            used.clear(index);
        }
    }

    int free() {
        return count - used.cardinality();
    }

    private String cidr(int index) {
        long ip = base + ((long) index << (32 - subnetPrefix));
        return Cidr.format(ip) + "/" + subnetPrefix;
    }

    private int indexOf(String cidr) {
        try {
            String[] parts = cidr.split("/");
            if (parts.length != 2 || Integer.parseInt(parts[1]) != subnetPrefix || !parts[0].contains(".")) {
                return -1;
            }
            long ip = Cidr.toLong(parts[0]);
            long offset = ip - base;
            long size = 1L << (32 - subnetPrefix);
            if (offset < 0 || offset % size != 0 || offset / size >= count) {
                return -1;
            }
            return (int) (offset / size);
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
