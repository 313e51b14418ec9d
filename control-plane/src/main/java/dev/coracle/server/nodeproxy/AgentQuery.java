package dev.coracle.server.nodeproxy;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** An agent URL with its query, every value fully encoded: commands carry {@code ;}, {@code &}, {@code +} and spaces. */
final class AgentQuery {

    private final StringBuilder url;
    private boolean first = true;

    AgentQuery(String base) {
        this.url = new StringBuilder(base);
    }

    AgentQuery add(String name, String value) {
        url.append(first ? '?' : '&').append(name).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"));
        first = false;
        return this;
    }

    URI toUri() {
        return URI.create(url.toString());
    }
}
