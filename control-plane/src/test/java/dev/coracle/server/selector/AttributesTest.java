package dev.coracle.server.selector;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class AttributesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void encodesAsJacksonWritesTheSortedMaps() {
        Map<String, String> labels = new HashMap<>();
        labels.put("app", "web");
        labels.put("a\"quote", "back\\slash");
        labels.put("ctl", "tab\there\u0001 and é, 漢字, </script>");
        labels.put("empty", "");
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("metadata.namespace", "default");
        fields.put("metadata.name", "web-1");
        fields.put("spec.nodeName", "");

        String encoded = new Attributes(labels, fields).encode();

        assertThat(encoded).isEqualTo(JSON.writeValueAsString(new TreeMap<>(Map.of("l", new TreeMap<>(labels), "f", new TreeMap<>(fields)))));
        assertThat(Attributes.decode(encoded)).isEqualTo(new Attributes(labels, fields));
    }

    @Test
    void labelTextsFindAPairInTheEncodedForm() {
        String encoded = new Attributes(Map.of("app", "web", "tier", "db"), Map.of("metadata.name", "x")).encode();
        assertThat(Attributes.labelTexts("app", "web")).allMatch(encoded::contains);
        assertThat(encoded.indexOf("\"app\":\"web\"")).isGreaterThan(encoded.indexOf("\"l\":{"));
    }

    @Test
    void noLabelsIsAnEmptyObject() {
        assertThat(new Attributes(null, Map.of()).encode()).isEqualTo("{\"f\":{},\"l\":{}}");
    }
}
