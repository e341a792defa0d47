package net.tern.wire;

/** ICMPv6 message types and codes (RFC 4443 2.1, {@code include/uapi/linux/icmpv6.h}). */
public final class Icmpv6Types {
    private Icmpv6Types() {
    }

    public static final int DEST_UNREACH = 1;
    public static final int PKT_TOOBIG = 2;
    public static final int TIME_EXCEED = 3;
    public static final int PARAMPROB = 4;
    public static final int ECHO_REQUEST = 128;
    public static final int ECHO_REPLY = 129;
    public static final int MLD_QUERY = 130;
    public static final int MLD_REPORT = 131;
    public static final int MLD_DONE = 132;
    public static final int ROUTER_SOLICIT = 133;
    public static final int ROUTER_ADVERT = 134;
    public static final int NEIGHBOR_SOLICIT = 135;
    public static final int NEIGHBOR_ADVERT = 136;
    public static final int REDIRECT = 137;
    public static final int MLD2_REPORT = 143;

    /** Destination unreachable codes. */
    public static final int NOROUTE = 0;
    public static final int ADM_PROHIBITED = 1;
    public static final int NOT_NEIGHBOUR = 2;
    public static final int ADDR_UNREACH = 3;
    public static final int PORT_UNREACH = 4;

    /** Time exceeded codes. */
    public static final int EXC_HOPLIMIT = 0;
    public static final int EXC_FRAGTIME = 1;

    /** Parameter problem codes. */
    public static final int HDR_FIELD = 0;
    public static final int UNK_NEXTHDR = 1;
    public static final int UNK_OPTION = 2;

    /** Whether {@code type} is an error message (RFC 4443 2.1: the high bit clear). */
    public static boolean isError(int type) {
        return type < 128;
    }

    /** A readable name. */
    public static String name(int type) {
        return switch (type) {
            case DEST_UNREACH -> "destination unreachable";
            case PKT_TOOBIG -> "packet too big";
            case TIME_EXCEED -> "time exceeded";
            case PARAMPROB -> "parameter problem";
            case ECHO_REQUEST -> "echo request";
            case ECHO_REPLY -> "echo reply";
            case ROUTER_SOLICIT -> "router solicitation";
            case ROUTER_ADVERT -> "router advertisement";
            case NEIGHBOR_SOLICIT -> "neighbor solicitation";
            case NEIGHBOR_ADVERT -> "neighbor advertisement";
            case REDIRECT -> "redirect";
            default -> "type " + type;
        };
    }
}
