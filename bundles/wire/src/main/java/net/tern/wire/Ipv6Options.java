package net.tern.wire;

import io.netty.buffer.ByteBuf;

/**
 * The type-length-value options of the hop-by-hop and destination options headers (RFC 8200
 * 4.2), walked as Linux's {@code ip6_parse_tlv} walks them. The two high bits of an option's
 * type say what a node that does not know the option must do; {@link #walk} finds the first
 * such option so the caller can act on them.
 */
public final class Ipv6Options {
    public static final int PAD1 = 0;
    public static final int PADN = 1;
    /** Router alert (RFC 2711), in hop-by-hop options. */
    public static final int ROUTER_ALERT = 5;
    /** The jumbo payload option (RFC 2675), which Tern does not support. */
    public static final int JUMBO = 0xc2;

    /** Unrecognized: skip over it. */
    public static final int ACTION_SKIP = 0;
    /** Unrecognized: discard the packet. */
    public static final int ACTION_DISCARD = 1;
    /** Unrecognized: discard and send a parameter problem, code 2, pointing at the type. */
    public static final int ACTION_DISCARD_ICMP = 2;
    /** Unrecognized: discard, and send the parameter problem only if the destination was not multicast. */
    public static final int ACTION_DISCARD_ICMP_UNICAST = 3;

    /** {@link #walk}: every option is known or skippable. */
    public static final int OK = -1;
    /** {@link #walk}: an option runs past the header's end. */
    public static final int MALFORMED = -2;

    private Ipv6Options() {
    }

    /** The action an option type asks of a node that does not know it: its two high bits. */
    public static int action(int optionType) {
        return (optionType >>> 6) & 3;
    }

    /** Decides which option types are known. */
    @FunctionalInterface
    public interface Known {
        boolean known(int optionType);
    }

    /**
     * Walks the options of the header of {@code headerLength} bytes at absolute {@code header}
     * (they start 2 bytes in). Returns {@link #OK}, {@link #MALFORMED}, or the absolute index
     * of the first option that is not {@code known} and whose {@link #action} is not
     * {@link #ACTION_SKIP}.
     */
    public static int walk(ByteBuf buf, int header, int headerLength, Known known) {
        int end = header + headerLength;
        int at = header + 2;
        while (at < end) {
            int type = buf.getUnsignedByte(at);
            if (type == PAD1) {
                at++;
                continue;
            }
            if (at + 2 > end) {
                return MALFORMED;
            }
            int length = buf.getUnsignedByte(at + 1);
            if (at + 2 + length > end) {
                return MALFORMED;
            }
            if (type != PADN && !known.known(type) && action(type) != ACTION_SKIP) {
                return at;
            }
            at += 2 + length;
        }
        return OK;
    }
}
