package dev.coracle.server.registry;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code metav1.LabelSelectorAsSelector} semantics: matching and the string form the printers use
 * ({@code app=web,tier in (a,b)}).
 */
public final class LabelSelectors {

    private record Requirement(String key, String op, List<String> values) {
    }

    private LabelSelectors() {
    }

    /** Whether the selector converts to a labels.Selector without error (known operators, valid keys and values). */
    public static boolean isValid(LabelSelector selector) {
        return requirements(selector) != null;
    }

    /**
     * Whether {@code labels} match. A null selector matches nothing; an empty one matches everything;
     * an invalid one matches nothing.
     */
    public static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        List<Requirement> reqs = requirements(selector);
        if (reqs == null) {
            return false;
        }
        Map<String, String> l = labels == null ? Map.of() : labels;
        for (Requirement r : reqs) {
            boolean has = l.containsKey(r.key());
            String v = l.get(r.key());
            boolean ok = switch (r.op()) {
                case "=" -> has && r.values().get(0).equals(v);
                case "in" -> has && r.values().contains(v);
                case "notin" -> !has || !r.values().contains(v);
                case "exists" -> has;
                case "!" -> !has;
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Whether the selector selects everything (non-null with no requirements). */
    public static boolean isEmpty(LabelSelector selector) {
        return selector != null
                && (selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
                && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty());
    }

    /** {@code labels.Selector.String()}; empty for a null or empty selector. */
    public static String toSelectorString(LabelSelector selector) {
        if (selector == null) {
            return "";
        }
        List<Requirement> reqs = requirements(selector);
        if (reqs == null) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        for (Requirement r : reqs) {
            parts.add(switch (r.op()) {
                case "=" -> r.key() + "=" + r.values().get(0);
                case "in" -> r.key() + " in (" + String.join(",", new TreeSet<>(r.values())) + ")";
                case "notin" -> r.key() + " notin (" + String.join(",", new TreeSet<>(r.values())) + ")";
                case "exists" -> r.key();
                default -> "!" + r.key();
            });
        }
        return String.join(",", parts);
    }

    /** {@code metav1.FormatLabelSelector}: {@code <none>} when empty, {@code <error>} when invalid. */
    public static String format(LabelSelector selector) {
        if (selector != null && requirements(selector) == null) {
            return "<error>";
        }
        String s = toSelectorString(selector);
        return s.isEmpty() ? "<none>" : s;
    }

    /** {@code labels.FormatLabels}: {@code k=v,k2=v2} sorted by key, {@code <none>} when empty. */
    public static String formatLabels(Map<String, String> labels) {
        if (labels == null || labels.isEmpty()) {
            return "<none>";
        }
        List<String> parts = new ArrayList<>();
        new TreeMap<>(labels).forEach((k, v) -> parts.add(k + "=" + v));
        return String.join(",", parts);
    }

    private static List<Requirement> requirements(LabelSelector selector) {
        List<Requirement> reqs = new ArrayList<>();
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
                String v = e.getValue() == null ? "" : e.getValue();
                if (!Validation.isQualifiedName(e.getKey()).isEmpty() || !Validation.isValidLabelValue(v).isEmpty()) {
                    return null;
                }
                reqs.add(new Requirement(e.getKey(), "=", List.of(v)));
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                String key = r.getKey() == null ? "" : r.getKey();
                List<String> values = r.getValues() == null ? List.of() : r.getValues();
                if (!Validation.isQualifiedName(key).isEmpty()) {
                    return null;
                }
                String op;
                switch (r.getOperator() == null ? "" : r.getOperator()) {
                    case "In" -> op = "in";
                    case "NotIn" -> op = "notin";
                    case "Exists" -> op = "exists";
                    case "DoesNotExist" -> op = "!";
                    default -> {
                        return null;
                    }
                }
                if ((op.equals("in") || op.equals("notin")) && values.isEmpty()) {
                    return null;
                }
                if ((op.equals("exists") || op.equals("!")) && !values.isEmpty()) {
                    return null;
                }
                for (String v : values) {
                    if (!Validation.isValidLabelValue(v).isEmpty()) {
                        return null;
                    }
                }
                reqs.add(new Requirement(key, op, values));
            }
        }
        reqs.sort(Comparator.comparing(Requirement::key));
        return reqs;
    }
}
