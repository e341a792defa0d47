package net.tern.udp.impl;

import io.netty.util.internal.PlatformDependent;
import java.util.Objects;
import net.tern.inet.sock.ProtoMemory;

/**
 * UDP's settings, Linux's sysctls: the ephemeral port range ({@code ip_local_port_range},
 * 32768 to 60999 by default), from which {@code bind} to port 0 and autobinding draw; the
 * stack-wide limits on the memory UDP's receive queues hold ({@code udp_mem}, in pages of
 * 4 KiB); and the receive memory each socket may hold even when UDP is over {@code min}
 * ({@code udp_rmem_min}).
 */
public record UdpSettings(int localPortLow, int localPortHigh, ProtoMemory.Limits udpMem, int rmemMin) {
    public static final int DEFAULT_LOCAL_PORT_LOW = 32768;
    public static final int DEFAULT_LOCAL_PORT_HIGH = 60999;
    /** {@code udp_rmem_min}'s default: one page. */
    public static final int DEFAULT_RMEM_MIN = 4096;

    public UdpSettings {
        if (localPortLow < 1 || localPortHigh > 0xffff || localPortLow > localPortHigh) {
            throw new IllegalArgumentException("ip_local_port_range must satisfy 1 <= low <= high <= 65535, got "
                    + localPortLow + " " + localPortHigh);
        }
        Objects.requireNonNull(udpMem, "udpMem");
        if (rmemMin < 0) {
            throw new IllegalArgumentException("udp_rmem_min must not be negative, got " + rmemMin);
        }
    }

    /** The port range {@code low..high}, with the default memory limits. */
    public UdpSettings(int localPortLow, int localPortHigh) {
        this(localPortLow, localPortHigh, defaultUdpMem(), DEFAULT_RMEM_MIN);
    }

    public static UdpSettings defaults() {
        return new UdpSettings(DEFAULT_LOCAL_PORT_LOW, DEFAULT_LOCAL_PORT_HIGH);
    }

    /**
     * {@code udp_mem}'s default. Linux's {@code udp_init} takes 1/8 of the free pages as the
     * pressure value, min 3/4 of it and max twice min. The datagrams UDP queues live in the
     * packet pool's direct memory, so Tern takes 1/8 of direct memory's maximum: min at
     * 9.4 %, max at 18.75 % of it (24 and 48 MiB of the launcher's 256 MiB).
     */
    public static ProtoMemory.Limits defaultUdpMem() {
        return ProtoMemory.Limits.share(PlatformDependent.maxDirectMemory(), 8);
    }

    /** How many ports the range holds. */
    public int rangeSize() {
        return localPortHigh - localPortLow + 1;
    }

    public boolean inRange(int port) {
        return port >= localPortLow && port <= localPortHigh;
    }
}
