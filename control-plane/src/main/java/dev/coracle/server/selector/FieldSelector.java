package dev.coracle.server.selector;

import dev.coracle.server.api.ApiException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A field selector: {@code metadata.name=x,status.phase!=Running}, over the fields a resource makes selectable. */
public final class FieldSelector {

    public static final FieldSelector EVERYTHING = new FieldSelector(List.of());

    private final List<Term> terms;

    private FieldSelector(List<Term> terms) {
        this.terms = terms;
    }

    public boolean isEverything() {
        return terms.isEmpty();
    }

    public boolean matches(Map<String, String> fields) {
        for (Term t : terms) {
            String value = fields.getOrDefault(t.field, "");
            if (t.equal != value.equals(t.value)) {
                return false;
            }
        }
        return true;
    }

    /** The value a term requires for {@code field}, when it is an equality: used to narrow a list to one name or namespace. */
    public String requiredValue(String field) {
        for (Term t : terms) {
            if (t.field.equals(field) && t.equal) {
                return t.value;
            }
        }
        return null;
    }

    /** Parses and checks every field against what the resource supports, as kube-apiserver does (400 otherwise). */
    public static FieldSelector parse(String text, Set<String> supported, String resource) {
        if (text == null || text.isBlank()) {
            return EVERYTHING;
        }
        List<Term> terms = new ArrayList<>();
        for (String part : text.split(",")) {
            part = part.trim();
            if (part.isEmpty()) {
                continue;
            }
            Term term;
            int ne = part.indexOf("!=");
            int eqeq = part.indexOf("==");
            int eq = part.indexOf('=');
            if (ne >= 0) {
                term = new Term(part.substring(0, ne).trim(), part.substring(ne + 2).trim(), false);
            } else if (eqeq >= 0) {
                term = new Term(part.substring(0, eqeq).trim(), part.substring(eqeq + 2).trim(), true);
            } else if (eq >= 0) {
                term = new Term(part.substring(0, eq).trim(), part.substring(eq + 1).trim(), true);
            } else {
                throw ApiException.badRequest("invalid selector: '" + text + "'; can't understand '" + part + "'");
            }
            if (!supported.contains(term.field)) {
                throw ApiException.badRequest("field label not supported: " + term.field);
            }
            terms.add(term);
        }
        return new FieldSelector(terms);
    }

    private record Term(String field, String value, boolean equal) {
    }
}
