package dev.coracle.server.bootstrap;

/** Arithmetic on the service CIDR shared by the bootstrap and the ClusterIP allocator. */
public final class ServiceNetwork {

    private ServiceNetwork() {
    }

    /** The first usable address, where Kubernetes puts the {@code kubernetes} Service: 10.43.0.1 for 10.43.0.0/16. */
    public static String kubernetesServiceIp(String cidr) {
        Cidr c = Cidr.parse(cidr);
        return Cidr.format(c.base() + 1);
    }

    public record Cidr(long base, int prefix) {
        public static Cidr parse(String cidr) {
            String[] parts = cidr.split("/");
            if (parts.length != 2) {
                throw new IllegalArgumentException("not a CIDR: " + cidr);
            }
            int prefix = Integer.parseInt(parts[1]);
            long address = toLong(parts[0]);
            long mask = prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
            return new Cidr(address & mask, prefix);
        }

        public long size() {
            return 1L << (32 - prefix);
        }

        public boolean contains(long address) {
            return address >= base && address < base + size();
        }

        public static long toLong(String ip) {
            String[] octets = ip.split("\\.");
            if (octets.length != 4) {
                throw new IllegalArgumentException("not an IPv4 address: " + ip);
            }
            long value = 0;
            for (String octet : octets) {
                int o = Integer.parseInt(octet);
                if (o < 0 || o > 255) {
                    throw new IllegalArgumentException("not an IPv4 address: " + ip);
                }
                value = (value << 8) | o;
            }
            return value;
        }

        public static String format(long address) {
            return ((address >> 24) & 255) + "." + ((address >> 16) & 255) + "." + ((address >> 8) & 255) + "." + (address & 255);
        }
    }
}
