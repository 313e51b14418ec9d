package dev.coracle.server.registry;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders values the way kube-apiserver's field errors print them: Go's {@code %q} for strings,
 * {@code %v} for numbers and booleans, {@code %#v} for maps, slices and structs
 * ({@code map[string]string{"app":"web"}}, {@code []string{"10.0.0.1"}}).
 */
public final class GoValues {

    /** A value already rendered in Go syntax, printed as is. */
    public record Raw(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    private GoValues() {
    }

    public static Raw raw(String text) {
        return new Raw(text);
    }

    /** Renders {@code value} as a field error's bad value. */
    public static String render(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Raw r) {
            return r.text();
        }
        if (value instanceof String s) {
            return quote(s);
        }
        if (value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        if (value instanceof Map<?, ?> m) {
            return stringMap(castMap(m));
        }
        if (value instanceof Collection<?> c) {
            return stringSlice(c.stream().map(String::valueOf).toList());
        }
        return String.valueOf(value);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> castMap(Map<?, ?> m) {
        Map<String, String> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        return out;
    }

    /** Go's {@code strconv.Quote}. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                case 0x07 -> b.append("\\a");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case 0x0b -> b.append("\\v");
                default -> {
                    if (cp < 0x20 || cp == 0x7f) {
                        b.append(String.format("\\x%02x", cp));
                    } else if (!isPrintable(cp)) {
                        b.append(cp > 0xffff ? String.format("\\U%08x", cp) : String.format("\\u%04x", cp));
                    } else {
                        b.appendCodePoint(cp);
                    }
                }
            }
        });
        return b.append('"').toString();
    }

    private static boolean isPrintable(int cp) {
        int type = Character.getType(cp);
        return type != Character.CONTROL && type != Character.FORMAT && type != Character.UNASSIGNED
                && type != Character.PRIVATE_USE && type != Character.SURROGATE
                && (type != Character.SPACE_SEPARATOR || cp == ' ')
                && type != Character.LINE_SEPARATOR && type != Character.PARAGRAPH_SEPARATOR;
    }

    /** {@code map[string]string{"a":"b", "c":"d"}}, keys sorted; {@code map[string]string(nil)} when empty. */
    public static String stringMap(Map<String, String> map) {
        if (map == null || map.isEmpty()) {
            return "map[string]string(nil)";
        }
        StringBuilder b = new StringBuilder("map[string]string{");
        boolean first = true;
        for (Map.Entry<String, String> e : new TreeMap<>(map).entrySet()) {
            if (!first) {
                b.append(", ");
            }
            first = false;
            b.append(quote(e.getKey())).append(':').append(quote(e.getValue() == null ? "" : e.getValue()));
        }
        return b.append('}').toString();
    }

    /** {@code []string{"a", "b"}}; {@code []string(nil)} when empty. */
    public static String stringSlice(Collection<String> values) {
        if (values == null || values.isEmpty()) {
            return "[]string(nil)";
        }
        StringBuilder b = new StringBuilder("[]string{");
        boolean first = true;
        for (String v : values) {
            if (!first) {
                b.append(", ");
            }
            first = false;
            b.append(quote(v));
        }
        return b.append('}').toString();
    }

    /** {@code v1.LabelSelector{MatchLabels:map[string]string{...}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}}. */
    public static String labelSelector(LabelSelector selector) {
        if (selector == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("v1.LabelSelector{MatchLabels:")
                .append(stringMap(selector.getMatchLabels()))
                .append(", MatchExpressions:");
        List<LabelSelectorRequirement> exprs = selector.getMatchExpressions();
        if (exprs == null || exprs.isEmpty()) {
            b.append("[]v1.LabelSelectorRequirement(nil)");
        } else {
            b.append("[]v1.LabelSelectorRequirement{");
            for (int i = 0; i < exprs.size(); i++) {
                LabelSelectorRequirement r = exprs.get(i);
                if (i > 0) {
                    b.append(", ");
                }
                b.append("v1.LabelSelectorRequirement{Key:").append(quote(nz(r.getKey())))
                        .append(", Operator:").append(quote(nz(r.getOperator())))
                        .append(", Values:").append(stringSlice(r.getValues())).append('}');
            }
            b.append('}');
        }
        return b.append('}').toString();
    }

    /** {@code intstr.IntOrString{Type:1, IntVal:0, StrVal:"25%"}}. */
    public static String intOrString(IntOrString value) {
        if (value == null) {
            return "intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}";
        }
        if (value.getStrVal() != null) {
            return "intstr.IntOrString{Type:1, IntVal:0, StrVal:" + quote(value.getStrVal()) + "}";
        }
        int i = value.getIntVal() == null ? 0 : value.getIntVal();
        return "intstr.IntOrString{Type:0, IntVal:" + i + ", StrVal:\"\"}";
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
