package net.tern.wire;

/** ICMP message types and codes (RFC 792, RFC 1191; {@code include/uapi/linux/icmp.h}). */
public final class IcmpTypes {
    private IcmpTypes() {
    }

    public static final int ECHO_REPLY = 0;
    public static final int DEST_UNREACH = 3;
    public static final int SOURCE_QUENCH = 4;
    public static final int REDIRECT = 5;
    public static final int ECHO = 8;
    public static final int TIME_EXCEEDED = 11;
    public static final int PARAMETER_PROB = 12;
    public static final int TIMESTAMP = 13;
    public static final int TIMESTAMP_REPLY = 14;
    public static final int INFO_REQUEST = 15;
    public static final int INFO_REPLY = 16;
    public static final int ADDRESS = 17;
    public static final int ADDRESS_REPLY = 18;
    /** The highest type Linux knows ({@code NR_ICMP_TYPES}). */
    public static final int NR_ICMP_TYPES = 18;

    // Codes for DEST_UNREACH
    public static final int NET_UNREACH = 0;
    public static final int HOST_UNREACH = 1;
    public static final int PROT_UNREACH = 2;
    public static final int PORT_UNREACH = 3;
    /** Fragmentation needed and DF set; the next-hop MTU is in bytes 6-7 (RFC 1191). */
    public static final int FRAG_NEEDED = 4;
    public static final int SR_FAILED = 5;
    public static final int NET_UNKNOWN = 6;
    public static final int HOST_UNKNOWN = 7;
    public static final int NET_ANO = 9;
    public static final int HOST_ANO = 10;
    public static final int PKT_FILTERED = 13;

    // Codes for TIME_EXCEEDED
    /** TTL count exceeded in transit. */
    public static final int EXC_TTL = 0;
    /** Fragment reassembly time exceeded. */
    public static final int EXC_FRAGTIME = 1;

    /**
     * Whether {@code type} is an error message (Linux's {@code icmp_pointers[type].error}):
     * no ICMP error is ever sent about one (RFC 1122, 3.2.2). Unknown types count as errors,
     * so nothing is sent about them either.
     */
    public static boolean isError(int type) {
        return switch (type) {
            case ECHO_REPLY, ECHO, TIMESTAMP, TIMESTAMP_REPLY, INFO_REQUEST, INFO_REPLY, ADDRESS, ADDRESS_REPLY -> false;
            default -> true;
        };
    }

    /** A readable name for logs and the shell. */
    public static String name(int type) {
        return switch (type) {
            case ECHO_REPLY -> "echo-reply";
            case DEST_UNREACH -> "destination-unreachable";
            case SOURCE_QUENCH -> "source-quench";
            case REDIRECT -> "redirect";
            case ECHO -> "echo-request";
            case TIME_EXCEEDED -> "time-exceeded";
            case PARAMETER_PROB -> "parameter-problem";
            case TIMESTAMP -> "timestamp-request";
            case TIMESTAMP_REPLY -> "timestamp-reply";
            default -> "type-" + type;
        };
    }
}
