package dev.coracle.agent.pods;

import java.util.Map;

/**
 * Kubernetes' {@code $(VAR)} expansion (k8s.io/kubernetes/third_party/forked/golang/expansion):
 * {@code $(NAME)} becomes the variable's value when it is defined and stays as written when not,
 * {@code $$} is an escaped {@code $}, and anything else is kept as it is.
 */
final class Expansion {

    private Expansion() {
    }

    static String expand(String input, Map<String, String> vars) {
        StringBuilder out = new StringBuilder(input.length());
        int i = 0;
        while (i < input.length()) {
            char ch = input.charAt(i);
            if (ch != '$' || i + 1 >= input.length()) {
                out.append(ch);
                i++;
                continue;
            }
            char next = input.charAt(i + 1);
            if (next == '$') {
                out.append('$');
                i += 2;
            } else if (next == '(') {
                int close = input.indexOf(')', i + 2);
                if (close < 0) {
                    out.append(input, i, input.length());
                    return out.toString();
                }
                String name = input.substring(i + 2, close);
                out.append(vars.containsKey(name) ? vars.get(name) : "$(" + name + ")");
                i = close + 1;
            } else {
                out.append(ch).append(next);
                i += 2;
            }
        }
        return out.toString();
    }
}
