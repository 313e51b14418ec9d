package dev.coracle.server.registry;

import dev.coracle.server.api.ApiException.FieldError;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Kubernetes' shared validation: apimachinery's {@code util/validation} predicates (returning the
 * same messages), {@code ValidateObjectMeta}, label and annotation checks, and the field error
 * factories every strategy uses, worded as {@code k8s.io/apimachinery/pkg/util/validation/field}.
 */
public final class Validation {

    public static final String DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    public static final String DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*";
    public static final String DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?";
    public static final String QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    public static final String LABEL_VALUE_FMT = "(" + QUALIFIED_NAME_FMT + ")?";
    public static final String CONFIG_MAP_KEY_FMT = "[-._a-zA-Z0-9]+";
    public static final String PERCENT_FMT = "[0-9]+%";
    public static final String HTTP_HEADER_NAME_FMT = "[-A-Za-z0-9]+";

    public static final int DNS1123_LABEL_MAX_LENGTH = 63;
    public static final int DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
    public static final int DNS1035_LABEL_MAX_LENGTH = 63;
    public static final int QUALIFIED_NAME_MAX_LENGTH = 63;
    public static final int LABEL_VALUE_MAX_LENGTH = 63;
    public static final int TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * (1 << 10);

    public static final String FIELD_IMMUTABLE = "field is immutable";
    public static final String IS_NEGATIVE = "must be greater than or equal to 0";

    private static final String DNS1123_LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
    private static final String DNS1123_SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    private static final String DNS1035_LABEL_MSG = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
    private static final String QUALIFIED_NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private static final String LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private static final String CONFIG_MAP_KEY_MSG = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";
    private static final String PERCENT_MSG = "a valid percent string must be a numeric string followed by an ending '%'";
    private static final String HTTP_HEADER_NAME_MSG = "a valid HTTP header must consist of alphanumeric characters or '-'";

    private static final Pattern DNS1123_LABEL = Pattern.compile("^" + DNS1123_LABEL_FMT + "$");
    private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile("^" + DNS1123_SUBDOMAIN_FMT + "$");
    private static final Pattern DNS1035_LABEL = Pattern.compile("^" + DNS1035_LABEL_FMT + "$");
    private static final Pattern QUALIFIED_NAME = Pattern.compile("^" + QUALIFIED_NAME_FMT + "$");
    private static final Pattern LABEL_VALUE = Pattern.compile("^" + LABEL_VALUE_FMT + "$");
    private static final Pattern CONFIG_MAP_KEY = Pattern.compile("^" + CONFIG_MAP_KEY_FMT + "$");
    private static final Pattern PERCENT = Pattern.compile("^" + PERCENT_FMT + "$");
    private static final Pattern HTTP_HEADER_NAME = Pattern.compile("^" + HTTP_HEADER_NAME_FMT + "$");
    private static final Pattern PORT_NAME_CHARSET = Pattern.compile("^[-a-z0-9]+$");
    private static final Pattern PORT_NAME_ONE_LETTER = Pattern.compile("[a-z]");
    private static final Pattern IPV4 = Pattern.compile("^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})$");

    private static final Set<String> STANDARD_FINALIZERS = Set.of("kubernetes", "orphan", "foregroundDeletion");

    private Validation() {
    }

    // ---------------------------------------------------------------- messages (apimachinery util/validation)

    public static String maxLenError(int length) {
        return "must be no more than " + length + " characters";
    }

    public static String emptyError() {
        return "must be non-empty";
    }

    public static String inclusiveRangeError(long lo, long hi) {
        return "must be between " + lo + " and " + hi + ", inclusive";
    }

    /** apimachinery's {@code RegexError}, including its double space between examples. */
    public static String regexError(String msg, String fmt, String... examples) {
        if (examples.length == 0) {
            return msg + " (regex used for validation is '" + fmt + "')";
        }
        StringBuilder b = new StringBuilder(msg).append(" (e.g. ");
        for (int i = 0; i < examples.length; i++) {
            if (i > 0) {
                b.append(" or ");
            }
            b.append('\'').append(examples[i]).append("', ");
        }
        return b.append("regex used for validation is '").append(fmt).append("')").toString();
    }

    public static List<String> isDns1123Label(String value) {
        List<String> errs = new ArrayList<>();
        if (value.length() > DNS1123_LABEL_MAX_LENGTH) {
            errs.add(maxLenError(DNS1123_LABEL_MAX_LENGTH));
        }
        if (!DNS1123_LABEL.matcher(value).matches()) {
            if (DNS1123_SUBDOMAIN.matcher(value).matches()) {
                errs.add("must not contain dots");
            } else {
                errs.add(regexError(DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, "my-name", "123-abc"));
            }
        }
        return errs;
    }

    public static List<String> isDns1123Subdomain(String value) {
        List<String> errs = new ArrayList<>();
        if (value.length() > DNS1123_SUBDOMAIN_MAX_LENGTH) {
            errs.add(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
        }
        if (!DNS1123_SUBDOMAIN.matcher(value).matches()) {
            errs.add(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, "example.com"));
        }
        return errs;
    }

    public static List<String> isDns1035Label(String value) {
        List<String> errs = new ArrayList<>();
        if (value.length() > DNS1035_LABEL_MAX_LENGTH) {
            errs.add(maxLenError(DNS1035_LABEL_MAX_LENGTH));
        }
        if (!DNS1035_LABEL.matcher(value).matches()) {
            errs.add(regexError(DNS1035_LABEL_MSG, DNS1035_LABEL_FMT, "my-name", "abc-123"));
        }
        return errs;
    }

    /** A label key or other "qualified name": an optional DNS subdomain prefix and '/', then a name of up to 63 characters. */
    public static List<String> isQualifiedName(String value) {
        List<String> errs = new ArrayList<>();
        String[] parts = value.split("/", -1);
        String name;
        switch (parts.length) {
            case 1 -> name = parts[0];
            case 2 -> {
                String prefix = parts[0];
                name = parts[1];
                if (prefix.isEmpty()) {
                    errs.add("prefix part " + emptyError());
                } else {
                    for (String msg : isDns1123Subdomain(prefix)) {
                        errs.add("prefix part " + msg);
                    }
                }
            }
            default -> {
                errs.add("a qualified name " + regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
                        + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
                return errs;
            }
        }
        if (name.isEmpty()) {
            errs.add("name part " + emptyError());
        } else if (name.length() > QUALIFIED_NAME_MAX_LENGTH) {
            errs.add("name part " + maxLenError(QUALIFIED_NAME_MAX_LENGTH));
        }
        if (!QUALIFIED_NAME.matcher(name).matches()) {
            errs.add("name part " + regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc"));
        }
        return errs;
    }

    public static List<String> isValidLabelValue(String value) {
        List<String> errs = new ArrayList<>();
        if (value.length() > LABEL_VALUE_MAX_LENGTH) {
            errs.add(maxLenError(LABEL_VALUE_MAX_LENGTH));
        }
        if (!LABEL_VALUE.matcher(value).matches()) {
            errs.add(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
        }
        return errs;
    }

    public static List<String> isConfigMapKey(String value) {
        List<String> errs = new ArrayList<>();
        if (value.length() > DNS1123_SUBDOMAIN_MAX_LENGTH) {
            errs.add(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
        }
        if (!CONFIG_MAP_KEY.matcher(value).matches()) {
            errs.add(regexError(CONFIG_MAP_KEY_MSG, CONFIG_MAP_KEY_FMT, "key.name", "KEY_NAME", "key-name"));
        }
        if (value.equals(".")) {
            errs.add("must not be '.'");
        } else if (value.equals("..")) {
            errs.add("must not be '..'");
        } else if (value.startsWith("..")) {
            errs.add("must not start with '..'");
        }
        return errs;
    }

    public static List<String> isValidPortNum(int port) {
        return 1 <= port && port <= 65535 ? List.of() : List.of(inclusiveRangeError(1, 65535));
    }

    public static List<String> isValidPortName(String port) {
        List<String> errs = new ArrayList<>();
        if (port.length() > 15) {
            errs.add(maxLenError(15));
        }
        if (!PORT_NAME_CHARSET.matcher(port).matches()) {
            errs.add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        }
        if (!PORT_NAME_ONE_LETTER.matcher(port).find()) {
            errs.add("must contain at least one letter (a-z)");
        }
        if (port.contains("--")) {
            errs.add("must not contain consecutive hyphens");
        }
        if (!port.isEmpty() && (port.charAt(0) == '-' || port.charAt(port.length() - 1) == '-')) {
            errs.add("must not begin or end with a hyphen");
        }
        return errs;
    }

    public static List<String> isValidPercent(String percent) {
        return PERCENT.matcher(percent).matches() ? List.of() : List.of(regexError(PERCENT_MSG, PERCENT_FMT, "1%", "93%"));
    }

    public static List<String> isHttpHeaderName(String value) {
        return HTTP_HEADER_NAME.matcher(value).matches() ? List.of()
                : List.of(regexError(HTTP_HEADER_NAME_MSG, HTTP_HEADER_NAME_FMT, "X-Header-Name"));
    }

    /** The relaxed environment variable name rule (RelaxedEnvironmentVariableValidation, on by default in 1.32). */
    public static List<String> isRelaxedEnvVarName(String value) {
        List<String> errs = new ArrayList<>();
        if (value.isEmpty()) {
            errs.add("environment variable name " + emptyError());
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c > 0x7e || c < 0x20 || c == '=') {
                errs.add("a valid environment variable name must consist only of printable ASCII characters other than '='");
                break;
            }
        }
        return errs;
    }

    public static List<String> isValidUserId(long id) {
        return 0 <= id && id <= Integer.MAX_VALUE ? List.of() : List.of(inclusiveRangeError(0, Integer.MAX_VALUE));
    }

    /** Whether {@code value} parses as an IPv4 (leading zeros allowed, as Go's ParseIPSloppy) or IPv6 address. */
    public static boolean isIp(String value) {
        if (value == null || value.isEmpty()) {
            return false;
        }
        var m = IPV4.matcher(value);
        if (m.matches()) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(m.group(i)) > 255) {
                    return false;
                }
            }
            return true;
        }
        if (!value.contains(":") || value.contains("%") || !value.matches("[0-9A-Fa-f:.]+")) {
            return false;
        }
        try {
            java.net.InetAddress.getByName(value);
            return true;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** Whether {@code value} is an IP prefix ({@code 10.42.0.0/16}, {@code fd00::/64}). */
    public static boolean isCidr(String value) {
        if (value == null) {
            return false;
        }
        int slash = value.indexOf('/');
        if (slash < 0 || !isIp(value.substring(0, slash))) {
            return false;
        }
        String bits = value.substring(slash + 1);
        if (!bits.matches("[0-9]{1,3}")) {
            return false;
        }
        int n = Integer.parseInt(bits);
        return n <= (value.substring(0, slash).contains(":") ? 128 : 32);
    }

    /** apimachinery's {@code IsValidCIDR} as field errors. */
    public static List<FieldError> validateCidr(String path, String value) {
        return isCidr(value) ? List.of() : List.of(invalid(path, value, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
    }

    public static boolean isIpv4(String value) {
        return isIp(value) && !value.contains(":");
    }

    /** apimachinery's {@code IsValidIP} as field errors. */
    public static List<FieldError> validateIp(String path, String value) {
        return isIp(value) ? List.of() : List.of(invalid(path, value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
    }

    // ---------------------------------------------------------------- field errors (field.Error)

    public static FieldError required(String path) {
        return new FieldError("FieldValueRequired", path, "Required value");
    }

    public static FieldError required(String path, String detail) {
        return detail == null || detail.isEmpty() ? required(path)
                : new FieldError("FieldValueRequired", path, "Required value: " + detail);
    }

    /** {@code path: Invalid value: <value>: detail}, the value rendered as Go prints it (see {@link GoValues}). */
    public static FieldError invalid(String path, Object value, String detail) {
        String body = "Invalid value: " + GoValues.render(value);
        return new FieldError("FieldValueInvalid", path, detail == null || detail.isEmpty() ? body : body + ": " + detail);
    }

    public static FieldError notSupported(String path, Object value, Collection<String> supported) {
        String body = "Unsupported value: " + GoValues.render(value);
        if (supported != null && !supported.isEmpty()) {
            body += ": supported values: " + String.join(", ", supported.stream().map(GoValues::quote).toList());
        }
        return new FieldError("FieldValueNotSupported", path, body);
    }

    public static FieldError duplicate(String path, Object value) {
        return new FieldError("FieldValueDuplicate", path, "Duplicate value: " + GoValues.render(value));
    }

    public static FieldError duplicate(String path, Object value, String detail) {
        return new FieldError("FieldValueDuplicate", path, "Duplicate value: " + GoValues.render(value) + ": " + detail);
    }

    public static FieldError notFound(String path, Object value) {
        return new FieldError("FieldValueNotFound", path, "Not found: " + GoValues.render(value));
    }

    public static FieldError notFound(String path, Object value, String detail) {
        return new FieldError("FieldValueNotFound", path, "Not found: " + GoValues.render(value) + ": " + detail);
    }

    public static FieldError forbidden(String path, String detail) {
        return new FieldError("FieldValueForbidden", path, "Forbidden: " + detail);
    }

    public static FieldError tooLong(String path, int maxLength) {
        String detail = maxLength >= 0 ? "may not be more than " + maxLength + (maxLength == 1 ? " byte" : " bytes") : "value is too long";
        return new FieldError("FieldValueTooLong", path, "Too long: " + detail);
    }

    /** {@code field.TooMany}: {@code path: Too many: 1001: must have at most 1000 items}. */
    public static FieldError tooMany(String path, int actual, int max) {
        return new FieldError("FieldValueTooMany", path, "Too many: " + actual + ": must have at most " + max
                + (max == 1 ? " item" : " items"));
    }

    /** A field path child: {@code child("spec", "replicas")} is {@code spec.replicas}; an empty parent yields the child alone. */
    public static String child(String path, String... names) {
        StringBuilder b = new StringBuilder(path == null ? "" : path);
        for (String n : names) {
            if (b.length() > 0) {
                b.append('.');
            }
            b.append(n);
        }
        return b.toString();
    }

    public static String index(String path, int i) {
        return path + "[" + i + "]";
    }

    public static String key(String path, String key) {
        return path + "[" + key + "]";
    }

    // ---------------------------------------------------------------- common checks

    /** {@code ValidateNonSpecialIP}: an address an endpoint or a Service may hold (not unspecified, loopback or link-local). */
    public static List<FieldError> validateNonSpecialIp(String ip, String path) {
        List<FieldError> errs = new ArrayList<>();
        try {
            var addr = java.net.InetAddress.getByName(ip);
            if (addr.isAnyLocalAddress()) {
                errs.add(invalid(path, ip, "may not be unspecified (" + ip + ")"));
            }
            if (addr.isLoopbackAddress()) {
                errs.add(invalid(path, ip, "may not be in the loopback range (127.0.0.0/8, ::1/128)"));
            }
            if (addr.isLinkLocalAddress()) {
                errs.add(invalid(path, ip, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"));
            }
            if (addr.isMCLinkLocal()) {
                errs.add(invalid(path, ip, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"));
            }
        } catch (java.net.UnknownHostException e) {
            errs.add(invalid(path, ip, "must be a valid IP address"));
        }
        return errs;
    }

    public static List<FieldError> validateNonnegative(long value, String path) {
        return value < 0 ? List.of(invalid(path, value, IS_NEGATIVE)) : List.of();
    }

    /** Kubernetes' {@code ValidateImmutableField}: {@code newRendered} is the new value as the error prints it. */
    public static List<FieldError> validateImmutable(Object newValue, Object oldValue, String path) {
        return Semantic.equal(newValue, oldValue) ? List.of() : List.of(invalid(path, newValue, FIELD_IMMUTABLE));
    }

    public static List<FieldError> validateDns1123Label(String value, String path) {
        return isDns1123Label(value).stream().map(m -> invalid(path, value, m)).toList();
    }

    public static List<FieldError> validateDns1123Subdomain(String value, String path) {
        return isDns1123Subdomain(value).stream().map(m -> invalid(path, value, m)).toList();
    }

    public static List<FieldError> validateQualifiedName(String value, String path) {
        return isQualifiedName(value).stream().map(m -> invalid(path, value, m)).toList();
    }

    public static List<FieldError> validateLabelName(String key, String path) {
        return isQualifiedName(key).stream().map(m -> invalid(path, key, m)).toList();
    }

    /** Kubernetes' {@code ValidateLabels}: errors are reported at {@code path} itself, not per key. */
    public static List<FieldError> validateLabels(Map<String, String> labels, String path) {
        List<FieldError> errs = new ArrayList<>();
        if (labels == null) {
            return errs;
        }
        for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
            errs.addAll(validateLabelName(e.getKey(), path));
            String v = e.getValue() == null ? "" : e.getValue();
            for (String msg : isValidLabelValue(v)) {
                errs.add(invalid(path, v, msg));
            }
        }
        return errs;
    }

    /** Kubernetes' {@code ValidateAnnotations}: keys are qualified names (case-insensitive), 256 KiB in total. */
    public static List<FieldError> validateAnnotations(Map<String, String> annotations, String path) {
        List<FieldError> errs = new ArrayList<>();
        if (annotations == null) {
            return errs;
        }
        long total = 0;
        for (Map.Entry<String, String> e : new TreeMap<>(annotations).entrySet()) {
            for (String msg : isQualifiedName(e.getKey().toLowerCase(Locale.ROOT))) {
                errs.add(invalid(path, e.getKey(), msg));
            }
            total += utf8Length(e.getKey()) + utf8Length(e.getValue());
        }
        if (total > TOTAL_ANNOTATION_SIZE_LIMIT_B) {
            errs.add(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT_B));
        }
        return errs;
    }

    public static long utf8Length(String s) {
        return s == null ? 0 : s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    /** metav1 validation's {@code ValidateLabelSelector} (strict: label values in expressions are checked). */
    public static List<FieldError> validateLabelSelector(LabelSelector selector, String path) {
        List<FieldError> errs = new ArrayList<>();
        if (selector == null) {
            return errs;
        }
        errs.addAll(validateLabels(selector.getMatchLabels(), child(path, "matchLabels")));
        List<LabelSelectorRequirement> exprs = selector.getMatchExpressions();
        for (int i = 0; exprs != null && i < exprs.size(); i++) {
            LabelSelectorRequirement r = exprs.get(i);
            String p = index(child(path, "matchExpressions"), i);
            List<String> values = r.getValues() == null ? List.of() : r.getValues();
            String op = r.getOperator() == null ? "" : r.getOperator();
            switch (op) {
                case "In", "NotIn" -> {
                    if (values.isEmpty()) {
                        errs.add(required(child(p, "values"), "must be specified when `operator` is 'In' or 'NotIn'"));
                    }
                }
                case "Exists", "DoesNotExist" -> {
                    if (!values.isEmpty()) {
                        errs.add(forbidden(child(p, "values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
                    }
                }
                default -> errs.add(invalid(child(p, "operator"), op, "not a valid selector operator"));
            }
            errs.addAll(validateLabelName(r.getKey() == null ? "" : r.getKey(), child(p, "key")));
            for (int j = 0; j < values.size(); j++) {
                for (String msg : isValidLabelValue(values.get(j))) {
                    errs.add(invalid(index(child(p, "values"), j), values.get(j), msg));
                }
            }
        }
        return errs;
    }

    // ---------------------------------------------------------------- ObjectMeta

    /**
     * Kubernetes' {@code ValidateObjectMeta} for a new object: name (or generateName) per {@code rule},
     * namespace presence, generation, labels, annotations, owner references and finalizers.
     */
    public static List<FieldError> validateObjectMeta(ObjectMeta meta, boolean namespaced, NameRule rule) {
        List<FieldError> errs = new ArrayList<>();
        String path = "metadata";
        if (meta == null) {
            errs.add(required(child(path, "name"), "name or generateName is required"));
            return errs;
        }
        NameRule r = rule == null ? NameRule.DNS1123_SUBDOMAIN : rule;
        String generateName = meta.getGenerateName();
        if (generateName != null && !generateName.isEmpty()) {
            for (String msg : r.validate(generateName, true)) {
                errs.add(invalid(child(path, "generateName"), generateName, msg));
            }
        }
        String name = meta.getName();
        if (name == null || name.isEmpty()) {
            errs.add(required(child(path, "name"), "name or generateName is required"));
        } else {
            for (String msg : r.validate(name, false)) {
                errs.add(invalid(child(path, "name"), name, msg));
            }
        }
        errs.addAll(validateObjectMetaCommon(meta, namespaced, path));
        return errs;
    }

    private static List<FieldError> validateObjectMetaCommon(ObjectMeta meta, boolean namespaced, String path) {
        List<FieldError> errs = new ArrayList<>();
        String ns = meta.getNamespace();
        if (namespaced) {
            if (ns == null || ns.isEmpty()) {
                errs.add(required(child(path, "namespace")));
            } else {
                for (String msg : NameRule.DNS1123_LABEL.validate(ns, false)) {
                    errs.add(invalid(child(path, "namespace"), ns, msg));
                }
            }
        } else if (ns != null && !ns.isEmpty()) {
            errs.add(forbidden(child(path, "namespace"), "not allowed on this type"));
        }
        if (meta.getGeneration() != null) {
            errs.addAll(validateNonnegative(meta.getGeneration(), child(path, "generation")));
        }
        errs.addAll(validateLabels(meta.getLabels(), child(path, "labels")));
        errs.addAll(validateAnnotations(meta.getAnnotations(), child(path, "annotations")));
        errs.addAll(validateOwnerReferences(meta.getOwnerReferences(), child(path, "ownerReferences")));
        errs.addAll(validateFinalizers(meta.getFinalizers(), child(path, "finalizers")));
        return errs;
    }

    public static List<FieldError> validateOwnerReferences(List<OwnerReference> refs, String path) {
        List<FieldError> errs = new ArrayList<>();
        if (refs == null) {
            return errs;
        }
        String firstController = "";
        for (OwnerReference ref : refs) {
            String apiVersion = ref.getApiVersion() == null ? "" : ref.getApiVersion();
            String version = apiVersion.contains("/") ? apiVersion.substring(apiVersion.indexOf('/') + 1) : apiVersion;
            if (apiVersion.chars().filter(c -> c == '/').count() > 1) {
                version = "";
            }
            if (version.isEmpty()) {
                errs.add(invalid(child(path, "apiVersion"), apiVersion, "version must not be empty"));
            }
            String kind = ref.getKind() == null ? "" : ref.getKind();
            if (kind.isEmpty()) {
                errs.add(invalid(child(path, "kind"), kind, "must not be empty"));
            }
            if (ref.getName() == null || ref.getName().isEmpty()) {
                errs.add(invalid(child(path, "name"), "", "must not be empty"));
            }
            if (ref.getUid() == null || ref.getUid().isEmpty()) {
                errs.add(invalid(child(path, "uid"), "", "must not be empty"));
            }
            if ("v1".equals(apiVersion) && "Event".equals(kind)) {
                errs.add(invalid(path, GoValues.raw("v1.OwnerReference{APIVersion:\"v1\", Kind:\"Event\", Name:"
                        + GoValues.quote(Objects.toString(ref.getName(), "")) + ", ...}"), "/v1, Kind=Event is disallowed from being an owner"));
            }
            if (Boolean.TRUE.equals(ref.getController())) {
                String current = kind + "/" + ref.getName();
                if (!firstController.isEmpty()) {
                    errs.add(invalid(path, GoValues.raw("[]v1.OwnerReference{...}"),
                            "Only one reference can have Controller set to true. Found \"true\" in references for " + firstController + " and " + current));
                } else {
                    firstController = current;
                }
            }
        }
        return errs;
    }

    /** apimachinery's {@code ValidateFinalizers} plus core's check that unqualified names are standard ones. */
    public static List<FieldError> validateFinalizers(List<String> finalizers, String path) {
        List<FieldError> errs = new ArrayList<>();
        if (finalizers == null) {
            return errs;
        }
        boolean orphan = false;
        boolean foreground = false;
        for (String f : finalizers) {
            errs.addAll(validateQualifiedName(f, path));
            orphan |= "orphan".equals(f);
            foreground |= "foregroundDeletion".equals(f);
        }
        if (orphan && foreground) {
            errs.add(invalid(path, finalizers, "finalizer orphan and foregroundDeletion cannot be both set"));
        }
        for (int i = 0; i < finalizers.size(); i++) {
            errs.addAll(validateKubeFinalizerName(finalizers.get(i), index(path, i)));
        }
        return errs;
    }

    public static List<FieldError> validateKubeFinalizerName(String value, String path) {
        if (!value.contains("/") && !STANDARD_FINALIZERS.contains(value)) {
            return List.of(invalid(path, value, "name is neither a standard finalizer name nor is it fully qualified"));
        }
        return List.of();
    }

    /** Kubernetes' {@code ValidateObjectMetaUpdate}: identity fields are immutable, labels and annotations still valid. */
    public static List<FieldError> validateObjectMetaUpdate(ObjectMeta meta, ObjectMeta old) {
        List<FieldError> errs = new ArrayList<>();
        String path = "metadata";
        if (old.getDeletionTimestamp() != null) {
            List<String> added = new ArrayList<>(meta.getFinalizers() == null ? List.of() : meta.getFinalizers());
            added.removeAll(old.getFinalizers() == null ? List.of() : old.getFinalizers());
            if (!added.isEmpty()) {
                errs.add(forbidden(child(path, "finalizers"), "no new finalizers can be added if the object is being deleted, found new finalizers "
                        + GoValues.stringSlice(added.stream().sorted().distinct().toList())));
            }
        }
        if (meta.getResourceVersion() == null || meta.getResourceVersion().isEmpty()) {
            errs.add(invalid(child(path, "resourceVersion"), "", "must be specified for an update"));
        }
        long newGeneration = meta.getGeneration() == null ? 0 : meta.getGeneration();
        long oldGeneration = old.getGeneration() == null ? 0 : old.getGeneration();
        if (newGeneration < oldGeneration) {
            errs.add(invalid(child(path, "generation"), newGeneration, "must not be decremented"));
        }
        errs.addAll(validateImmutable(nz(meta.getName()), nz(old.getName()), child(path, "name")));
        errs.addAll(validateImmutable(nz(meta.getNamespace()), nz(old.getNamespace()), child(path, "namespace")));
        errs.addAll(validateImmutable(nz(meta.getUid()), nz(old.getUid()), child(path, "uid")));
        errs.addAll(validateImmutable(nz(meta.getCreationTimestamp()), nz(old.getCreationTimestamp()), child(path, "creationTimestamp")));
        errs.addAll(validateImmutable(meta.getDeletionTimestamp(), old.getDeletionTimestamp(), child(path, "deletionTimestamp")));
        errs.addAll(validateImmutable(meta.getDeletionGracePeriodSeconds(), old.getDeletionGracePeriodSeconds(), child(path, "deletionGracePeriodSeconds")));
        errs.addAll(validateLabels(meta.getLabels(), child(path, "labels")));
        errs.addAll(validateAnnotations(meta.getAnnotations(), child(path, "annotations")));
        errs.addAll(validateOwnerReferences(meta.getOwnerReferences(), child(path, "ownerReferences")));
        errs.addAll(validateFinalizers(meta.getFinalizers(), child(path, "finalizers")));
        return errs;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
