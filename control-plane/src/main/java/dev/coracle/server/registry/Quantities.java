package dev.coracle.server.registry;

import io.fabric8.kubernetes.api.model.Quantity;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code resource.Quantity} semantics: parsing, comparison and the canonical string Kubernetes
 * prints ({@code 1024Mi} is {@code 1Gi}, {@code 0.5} is {@code 500m}, {@code 2000} is {@code 2k}).
 */
public final class Quantities {

    public static final String REGEX_MESSAGE = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

    private static final Pattern SPLIT = Pattern.compile("^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$");
    private static final Map<String, Integer> BINARY = Map.of("Ki", 1, "Mi", 2, "Gi", 3, "Ti", 4, "Pi", 5, "Ei", 6);
    private static final Map<String, Integer> DECIMAL = Map.of("n", -9, "u", -6, "m", -3, "", 0, "k", 3, "M", 6, "G", 9, "T", 12, "P", 15, "E", 18);
    private static final BigInteger B1024 = BigInteger.valueOf(1024);

    public enum Format { DECIMAL_SI, BINARY_SI, DECIMAL_EXPONENT }

    /** A parsed quantity: its exact value (rounded up to nano precision, as Kubernetes does) and its format. */
    public record Parsed(BigDecimal value, Format format) {
    }

    private Quantities() {
    }

    public static String text(Quantity q) {
        if (q == null) {
            return "";
        }
        String amount = q.getAmount() == null ? "" : q.getAmount();
        String format = q.getFormat() == null ? "" : q.getFormat();
        return amount + format;
    }

    /** Parses a quantity string; throws {@link IllegalArgumentException} with Kubernetes' message when malformed. */
    public static Parsed parse(String s) {
        if (s == null) {
            throw new IllegalArgumentException(REGEX_MESSAGE);
        }
        String str = s.trim();
        Matcher m = SPLIT.matcher(str);
        if (str.isEmpty() || !m.matches()) {
            throw new IllegalArgumentException(REGEX_MESSAGE);
        }
        String number = m.group(1);
        String suffix = m.group(2);
        BigDecimal value;
        try {
            value = new BigDecimal(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(REGEX_MESSAGE);
        }
        Format format;
        if (BINARY.containsKey(suffix)) {
            format = Format.BINARY_SI;
            value = value.multiply(new BigDecimal(B1024.pow(BINARY.get(suffix))));
        } else if (DECIMAL.containsKey(suffix)) {
            format = Format.DECIMAL_SI;
            value = value.scaleByPowerOfTen(DECIMAL.get(suffix));
        } else if (suffix.matches("[eE][-+]?[0-9]+")) {
            format = Format.DECIMAL_EXPONENT;
            value = value.scaleByPowerOfTen(Integer.parseInt(suffix.substring(1).replace("+", "")));
        } else {
            throw new IllegalArgumentException("unable to parse quantity's suffix");
        }
        if (value.scale() > 9) {
            value = value.setScale(9, RoundingMode.CEILING);
        }
        return new Parsed(value, format);
    }

    public static boolean isValid(Quantity q) {
        try {
            parse(text(q));
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public static BigDecimal value(Quantity q) {
        return parse(text(q)).value();
    }

    public static int compare(Quantity a, Quantity b) {
        return value(a).compareTo(value(b));
    }

    public static boolean isZero(Quantity q) {
        return value(q).signum() == 0;
    }

    /** {@code Quantity.String()}: the canonical form. */
    public static String canonical(Quantity q) {
        return canonical(text(q));
    }

    public static String canonical(String quantity) {
        Parsed p = parse(quantity);
        return canonical(p.value(), p.format());
    }

    public static String canonical(BigDecimal value, Format requested) {
        if (value.signum() == 0) {
            return "0";
        }
        Format format = requested;
        if (format == Format.BINARY_SI) {
            if (value.compareTo(BigDecimal.valueOf(-1024)) > 0 && value.compareTo(BigDecimal.valueOf(1024)) < 0) {
                format = Format.DECIMAL_SI;
            } else if (value.stripTrailingZeros().scale() > 0) {
                format = Format.DECIMAL_SI;
            }
        }
        if (format == Format.BINARY_SI) {
            BigInteger amount = value.toBigIntegerExact();
            int exponent = 0;
            while (exponent < 6 && amount.signum() != 0 && amount.mod(B1024).signum() == 0) {
                amount = amount.divide(B1024);
                exponent++;
            }
            String suffix = switch (exponent) {
                case 1 -> "Ki";
                case 2 -> "Mi";
                case 3 -> "Gi";
                case 4 -> "Ti";
                case 5 -> "Pi";
                case 6 -> "Ei";
                default -> "";
            };
            return amount + suffix;
        }
        BigDecimal stripped = value.stripTrailingZeros();
        BigInteger amount = stripped.unscaledValue();
        int exponent = -stripped.scale();
        while (exponent % 3 != 0) {
            amount = amount.multiply(BigInteger.TEN);
            exponent--;
        }
        if (format == Format.DECIMAL_EXPONENT) {
            return exponent == 0 ? amount.toString() : amount + "e" + exponent;
        }
        String suffix = switch (exponent) {
            case -9 -> "n";
            case -6 -> "u";
            case -3 -> "m";
            case 0 -> "";
            case 3 -> "k";
            case 6 -> "M";
            case 9 -> "G";
            case 12 -> "T";
            case 15 -> "P";
            case 18 -> "E";
            default -> "e" + exponent;
        };
        return amount + suffix;
    }

    /** A copy rounded up to milli precision, as the v1 {@code ResourceList} defaulter does. */
    public static Quantity roundUpToMilli(Quantity q) {
        try {
            Parsed p = parse(text(q));
            if (p.value().stripTrailingZeros().scale() <= 3) {
                return q;
            }
            return new Quantity(canonical(p.value().setScale(3, RoundingMode.CEILING), p.format()));
        } catch (IllegalArgumentException e) {
            return q;
        }
    }

    public static Quantity add(Quantity a, Quantity b) {
        Parsed pa = parse(text(a));
        Parsed pb = parse(text(b));
        return new Quantity(canonical(pa.value().add(pb.value()), pa.format()));
    }
}
