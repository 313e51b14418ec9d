package dev.coracle.server.selector;

import dev.coracle.server.api.ApiException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A label selector in Kubernetes' string syntax: {@code a=b}, {@code a==b}, {@code a!=b},
 * {@code env in (production, qa)}, {@code tier notin (frontend)}, {@code partition}, {@code !partition},
 * requirements joined by commas, all of which must hold.
 */
public final class LabelSelector {

    public static final LabelSelector EVERYTHING = new LabelSelector(List.of());

    private final List<Requirement> requirements;

    private LabelSelector(List<Requirement> requirements) {
        this.requirements = requirements;
    }

    public boolean isEverything() {
        return requirements.isEmpty();
    }

    /** Whether {@link #requiredPairs()} says it all: every requirement is one label equal to one value. */
    public boolean isOnlyPairs() {
        for (Requirement r : requirements) {
            if (!((r.op() == Op.EQUALS || r.op() == Op.IN) && r.values().size() == 1)) {
                return false;
            }
        }
        return true;
    }

    /** The label = value pairs every matching object has (from {@code =}, {@code ==} and one-value {@code in}). */
    public Map<String, String> requiredPairs() {
        Map<String, String> out = new java.util.TreeMap<>();
        for (Requirement r : requirements) {
            if ((r.op() == Op.EQUALS || r.op() == Op.IN) && r.values().size() == 1) {
                out.put(r.key(), r.values().iterator().next());
            }
        }
        return out;
    }

    public boolean matches(Map<String, String> labels) {
        for (Requirement r : requirements) {
            if (!r.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    /** The selector of a {@code matchLabels}/{@code matchExpressions} LabelSelector object. */
    public static LabelSelector of(io.fabric8.kubernetes.api.model.LabelSelector selector) {
        if (selector == null) {
            return EVERYTHING;
        }
        List<Requirement> out = new ArrayList<>();
        if (selector.getMatchLabels() != null) {
            selector.getMatchLabels().forEach((k, v) -> out.add(new Requirement(k, Op.EQUALS, Set.of(v))));
        }
        if (selector.getMatchExpressions() != null) {
            for (var e : selector.getMatchExpressions()) {
                Op op = switch (e.getOperator()) {
                    case "In" -> Op.IN;
                    case "NotIn" -> Op.NOT_IN;
                    case "Exists" -> Op.EXISTS;
                    case "DoesNotExist" -> Op.DOES_NOT_EXIST;
                    default -> throw ApiException.badRequest("invalid label selector operator: " + e.getOperator());
                };
                out.add(new Requirement(e.getKey(), op, e.getValues() == null ? Set.of() : new TreeSet<>(e.getValues())));
            }
        }
        return new LabelSelector(out);
    }

    public static LabelSelector parse(String text) {
        if (text == null || text.isBlank()) {
            return EVERYTHING;
        }
        return new LabelSelector(new Parser(text).requirements());
    }

    enum Op { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, DOES_NOT_EXIST }

    record Requirement(String key, Op op, Set<String> values) {
        boolean matches(Map<String, String> labels) {
            String value = labels.get(key);
            return switch (op) {
                case EQUALS, IN -> value != null && values.contains(value);
                case NOT_EQUALS, NOT_IN -> value == null || !values.contains(value);
                case EXISTS -> labels.containsKey(key);
                case DOES_NOT_EXIST -> !labels.containsKey(key);
            };
        }
    }

    /** A small recursive-descent parser over Kubernetes' selector grammar. */
    private static final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        List<Requirement> requirements() {
            List<Requirement> out = new ArrayList<>();
            while (true) {
                skipSpaces();
                out.add(requirement());
                skipSpaces();
                if (pos >= text.length()) {
                    return out;
                }
                expect(',');
            }
        }

        private Requirement requirement() {
            if (peek() == '!') {
                pos++;
                skipSpaces();
                return new Requirement(key(), Op.DOES_NOT_EXIST, Set.of());
            }
            String key = key();
            skipSpaces();
            if (pos >= text.length() || peek() == ',') {
                return new Requirement(key, Op.EXISTS, Set.of());
            }
            if (text.startsWith("==", pos)) {
                pos += 2;
                return new Requirement(key, Op.EQUALS, Set.of(value()));
            }
            if (text.startsWith("!=", pos)) {
                pos += 2;
                return new Requirement(key, Op.NOT_EQUALS, Set.of(value()));
            }
            if (peek() == '=') {
                pos++;
                return new Requirement(key, Op.EQUALS, Set.of(value()));
            }
            String word = word();
            if (word.equals("in") || word.equals("notin")) {
                skipSpaces();
                expect('(');
                Set<String> values = new TreeSet<>();
                while (true) {
                    skipSpaces();
                    if (peek() == ')') {
                        pos++;
                        break;
                    }
                    values.add(value());
                    skipSpaces();
                    if (peek() == ',') {
                        pos++;
                    } else {
                        expect(')');
                        break;
                    }
                }
                return new Requirement(key, word.equals("in") ? Op.IN : Op.NOT_IN, values);
            }
            throw invalid("unable to parse requirement: found '" + word + "', expected: in, notin, =, ==, !=, gt, lt");
        }

        private String key() {
            String key = word();
            if (key.isEmpty()) {
                throw invalid("found '" + (pos < text.length() ? text.charAt(pos) : "") + "', expected: identifier");
            }
            return key;
        }

        private String value() {
            skipSpaces();
            return word();
        }

        private String word() {
            int start = pos;
            while (pos < text.length() && isWordChar(text.charAt(pos))) {
                pos++;
            }
            return text.substring(start, pos);
        }

        private static boolean isWordChar(char c) {
            return Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.' || c == '/';
        }

        private char peek() {
            return pos < text.length() ? text.charAt(pos) : '\0';
        }

        private void expect(char c) {
            if (peek() != c) {
                throw invalid("expected '" + c + "' at position " + pos);
            }
            pos++;
        }

        private void skipSpaces() {
            while (pos < text.length() && text.charAt(pos) == ' ') {
                pos++;
            }
        }

        private ApiException invalid(String why) {
            return ApiException.badRequest("unable to parse requirement: " + why + " in label selector \"" + text + "\"");
        }
    }
}
