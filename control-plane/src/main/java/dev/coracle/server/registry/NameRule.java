package dev.coracle.server.registry;

import java.util.List;

/**
 * How {@code metadata.name} is validated for a resource (apimachinery's {@code NameIsDNSSubdomain},
 * {@code NameIsDNSLabel}, {@code NameIsDNS1035Label}).
 */
public enum NameRule {
    /** Most resources: a lowercase RFC 1123 subdomain, up to 253 characters. */
    DNS1123_SUBDOMAIN,
    /** Namespaces: a lowercase RFC 1123 label, up to 63 characters. */
    DNS1123_LABEL,
    /** Services: a DNS-1035 label (starts with a letter), up to 63 characters. */
    DNS1035_LABEL;

    /**
     * The messages for an invalid name; empty when valid. With {@code prefix} (a generateName),
     * a trailing dash is allowed, as Kubernetes' {@code maskTrailingDash} does.
     */
    public List<String> validate(String name, boolean prefix) {
        String value = prefix ? maskTrailingDash(name) : name;
        return switch (this) {
            case DNS1123_SUBDOMAIN -> Validation.isDns1123Subdomain(value);
            case DNS1123_LABEL -> Validation.isDns1123Label(value);
            case DNS1035_LABEL -> Validation.isDns1035Label(value);
        };
    }

    private static String maskTrailingDash(String name) {
        if (name.length() > 1 && name.endsWith("-")) {
            return name.substring(0, name.length() - 2) + "a";
        }
        return name;
    }
}
