package dev.coracle.agent.pods;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The cases of Kubernetes' expansion_test.go that matter to env, command and args. */
class ExpansionTest {

    private final Map<String, String> vars = Map.of("VAR_A", "A", "VAR_B", "B", "EMPTY", "");

    @Test
    void expandsDefinedVariablesAndKeepsUndefinedOnes() {
        assertThat(Expansion.expand("$(VAR_A)", vars)).isEqualTo("A");
        assertThat(Expansion.expand("___$(VAR_B)___", vars)).isEqualTo("___B___");
        assertThat(Expansion.expand("$(VAR_A)-$(VAR_B)", vars)).isEqualTo("A-B");
        assertThat(Expansion.expand("$(UNKNOWN)", vars)).isEqualTo("$(UNKNOWN)");
        assertThat(Expansion.expand("x$(EMPTY)y", vars)).isEqualTo("xy");
    }

    @Test
    void escapesAndIncompleteReferencesStayLiteral() {
        assertThat(Expansion.expand("$$(VAR_A)", vars)).isEqualTo("$(VAR_A)");
        assertThat(Expansion.expand("$$$(VAR_A)", vars)).isEqualTo("$A");
        assertThat(Expansion.expand("$(VAR_A", vars)).isEqualTo("$(VAR_A");
        assertThat(Expansion.expand("$VAR_A", vars)).isEqualTo("$VAR_A");
        assertThat(Expansion.expand("cost $5", vars)).isEqualTo("cost $5");
        assertThat(Expansion.expand("trailing $", vars)).isEqualTo("trailing $");
    }
}
