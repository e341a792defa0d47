package net.tern.wire;

import net.tern.api.socket.InetSockAddr;

/**
 * Classes of IPv4 addresses ({@code include/linux/in.h}: {@code ipv4_is_*}), for ints in host
 * order as {@link InetSockAddr} holds them.
 */
public final class Ipv4Address {
    private Ipv4Address() {
    }

    /** 0.0.0.0 (INADDR_ANY). */
    public static final int ANY = 0;
    /** 255.255.255.255 (INADDR_BROADCAST), the limited broadcast address. */
    public static final int LIMITED_BROADCAST = 0xffffffff;
    /** 127.0.0.1. */
    public static final int LOOPBACK = 0x7f000001;

    /** 224.0.0.0/4 ({@code ipv4_is_multicast}). */
    public static boolean isMulticast(int address) {
        return (address & 0xf0000000) == 0xe0000000;
    }

    /** 255.255.255.255 ({@code ipv4_is_lbcast}). */
    public static boolean isLimitedBroadcast(int address) {
        return address == LIMITED_BROADCAST;
    }

    /** 127.0.0.0/8 ({@code ipv4_is_loopback}). */
    public static boolean isLoopback(int address) {
        return (address & 0xff000000) == 0x7f000000;
    }

    /** 0.0.0.0/8, "this network" ({@code ipv4_is_zeronet}). */
    public static boolean isZeroNet(int address) {
        return (address & 0xff000000) == 0;
    }

    /** 240.0.0.0/4 but not the limited broadcast: reserved (class E). */
    public static boolean isReserved(int address) {
        return (address & 0xf0000000) == 0xf0000000 && address != LIMITED_BROADCAST;
    }

    /** The netmask of a prefix length: /24 is 0xffffff00. */
    public static int netmask(int prefixLength) {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length out of range 0..32: " + prefixLength);
        }
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    /** Dotted quad. */
    public static String format(int address) {
        return InetSockAddr.formatAddress(address);
    }

    /** Parses a dotted quad. */
    public static int parse(String dotted) {
        return InetSockAddr.parseAddress(dotted);
    }
}
