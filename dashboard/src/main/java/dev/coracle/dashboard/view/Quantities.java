package dev.coracle.dashboard.view;

import io.fabric8.kubernetes.api.model.Quantity;

import java.math.BigDecimal;
import java.util.Map;

/** Resource quantities as numbers (millicores, bytes) and as the short forms kubectl top prints (250m, 128Mi). */
public final class Quantities {

    private Quantities() {
    }

    public static long millicores(Quantity q) {
        return q == null ? 0 : Quantity.getAmountInBytes(q).multiply(BigDecimal.valueOf(1000)).longValue();
    }

    public static long nanocores(Quantity q) {
        return q == null ? 0 : Quantity.getAmountInBytes(q).multiply(BigDecimal.valueOf(1_000_000_000)).longValue();
    }

    public static long bytes(Quantity q) {
        return q == null ? 0 : Quantity.getAmountInBytes(q).longValue();
    }

    public static long millicores(Map<String, Quantity> resources) {
        return resources == null ? 0 : millicores(resources.get("cpu"));
    }

    public static long bytes(Map<String, Quantity> resources) {
        return resources == null ? 0 : bytes(resources.get("memory"));
    }

    /** "250m" below one core, "1.5" (cores) from one core up, as kubectl writes CPU. */
    public static String cpu(long millicores) {
        if (millicores < 1000) {
            return millicores + "m";
        }
        BigDecimal cores = BigDecimal.valueOf(millicores).divide(BigDecimal.valueOf(1000));
        return cores.stripTrailingZeros().toPlainString();
    }

    /** Binary units, one decimal from Gi up: 512Ki, 128Mi, 1.5Gi. */
    public static String memory(long bytes) {
        if (bytes < 1024) {
            return bytes + "B";
        } else if (bytes < 1024L * 1024) {
            return bytes / 1024 + "Ki";
        } else if (bytes < 1024L * 1024 * 1024) {
            return bytes / (1024 * 1024) + "Mi";
        }
        double gi = bytes / (1024.0 * 1024 * 1024);
        String s = String.format(java.util.Locale.ROOT, "%.1f", gi);
        return (s.endsWith(".0") ? s.substring(0, s.length() - 2) : s) + "Gi";
    }

    /** Percentage 0..100 of part in whole, 0 when whole is unknown. */
    public static int percent(long part, long whole) {
        if (whole <= 0) {
            return 0;
        }
        return (int) Math.min(100, Math.round(part * 100.0 / whole));
    }
}
