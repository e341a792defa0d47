package net.tern.spi.whiteboard;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A service property that holds a slot number, such as {@code ethertype} (0..0xffff),
 * {@code protocol} (0..255) or {@code family} (0..255). Service properties come from
 * annotations, configuration files and the shell, so the value may be any whole {@link Number} or
 * a String: decimal ({@code "17"}) or hexadecimal with {@code 0x} ({@code "0x0800"}),
 * surrounding blanks ignored.
 *
 * <p>{@link #read} never throws: a value that is missing, not a number or out of range is
 * empty, so the caller can log the service and ignore it, as a whiteboard must not fail on
 * one bad registration.
 *
 * @param key the property name
 * @param min the lowest valid value
 * @param max the highest valid value
 */
public record IntProperty(String key, int min, int max) {
    public IntProperty {
        Objects.requireNonNull(key, "key");
        if (min > max) {
            throw new IllegalArgumentException("property " + key + ": empty range " + min + ".." + max);
        }
    }

    /** The property's value in {@code properties} (which may be null), if it is a number in range. */
    public OptionalInt read(Map<String, ?> properties) {
        return properties == null ? OptionalInt.empty() : parse(properties.get(key));
    }

    /**
     * {@code value} as a number in range, if it is one: a whole {@link Number} or a String in
     * decimal or {@code 0x} hexadecimal. A fraction is no slot number, and a value too large
     * for a long is out of range rather than cut down into it.
     */
    public OptionalInt parse(Object value) {
        long number;
        if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
            double d = ((Number) value).doubleValue();
            if (d != Math.rint(d)) {
                return OptionalInt.empty(); // a fraction, or NaN
            }
            number = (long) d; // saturates: a huge value stays out of range
        } else if (value instanceof BigInteger b) {
            if (b.bitLength() >= Long.SIZE) {
                return OptionalInt.empty();
            }
            number = b.longValue();
        } else if (value instanceof Number n) {
            number = n.longValue();
        } else if (value instanceof String s) {
            String text = s.trim();
            boolean hex = text.startsWith("0x") || text.startsWith("0X");
            try {
                number = hex ? Long.parseLong(text.substring(2), 16) : Long.parseLong(text);
            } catch (NumberFormatException notANumber) {
                return OptionalInt.empty();
            }
        } else {
            return OptionalInt.empty();
        }
        return number < min || number > max ? OptionalInt.empty() : OptionalInt.of((int) number);
    }
}
