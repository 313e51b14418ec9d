package dev.coracle.dashboard.view;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A label selector as kubectl's {@code -l} takes it: {@code app=web,tier!=db,env in (prod,qa),!legacy,track}.
 * The Pods page filters its informer cache with it, as the API would.
 */
public final class LabelSelector {

    private final List<Predicate<Map<String, String>>> terms;

    private LabelSelector(List<Predicate<Map<String, String>>> terms) {
        this.terms = terms;
    }

    public static LabelSelector parse(String text) {
        List<Predicate<Map<String, String>>> terms = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return new LabelSelector(terms);
        }
        for (String raw : split(text)) {
            String t = raw.trim();
            if (t.isEmpty()) {
                throw new IllegalArgumentException("empty term in selector \"" + text + "\"");
            }
            var set = java.util.regex.Pattern.compile("^(\\S+)\\s+(in|notin)\\s*\\((.*)\\)$").matcher(t);
            if (set.matches()) {
                String key = key(set.group(1));
                Set<String> values = Set.copyOf(List.of(set.group(3).split("\\s*,\\s*")).stream().map(String::trim).toList());
                boolean in = set.group(2).equals("in");
                terms.add(l -> in ? l.containsKey(key) && values.contains(l.get(key)) : !l.containsKey(key) || !values.contains(l.get(key)));
            } else if (t.contains("!=")) {
                String key = key(t.substring(0, t.indexOf("!=")));
                String value = t.substring(t.indexOf("!=") + 2).trim();
                terms.add(l -> !value.equals(l.get(key)));
            } else if (t.contains("==")) {
                String key = key(t.substring(0, t.indexOf("==")));
                String value = t.substring(t.indexOf("==") + 2).trim();
                terms.add(l -> value.equals(l.get(key)));
            } else if (t.contains("=")) {
                String key = key(t.substring(0, t.indexOf('=')));
                String value = t.substring(t.indexOf('=') + 1).trim();
                terms.add(l -> value.equals(l.get(key)));
            } else if (t.startsWith("!")) {
                String key = key(t.substring(1));
                terms.add(l -> !l.containsKey(key));
            } else {
                String key = key(t);
                terms.add(l -> l.containsKey(key));
            }
        }
        return new LabelSelector(terms);
    }

    private static String key(String k) {
        String key = k.trim();
        if (!key.matches("([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")) {
            throw new IllegalArgumentException("invalid label key \"" + key + "\"");
        }
        return key;
    }

    /** Splits on commas outside parentheses. */
    private static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(text.substring(start, i));
                start = i + 1;
            }
        }
        out.add(text.substring(start));
        return out;
    }

    public boolean matches(Map<String, String> labels) {
        Map<String, String> l = labels == null ? Map.of() : labels;
        return terms.stream().allMatch(t -> t.test(l));
    }

    public boolean empty() {
        return terms.isEmpty();
    }
}
