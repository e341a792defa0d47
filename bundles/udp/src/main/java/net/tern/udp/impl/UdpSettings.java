package net.tern.udp.impl;

import io.netty.util.internal.PlatformDependent;
import java.util.Objects;
import net.tern.inet.sock.ProtoMemory;

/**
 * UDP's settings, Linux's sysctls: the stack-wide limits on the memory UDP's receive queues
 * hold ({@code udp_mem}, in pages of 4 KiB), and the receive memory each socket may hold even
 * when UDP is over {@code min} ({@code udp_rmem_min}). The ephemeral port range is IPv4's
 * ({@code LocalPortRange}), shared with TCP.
 */
public record UdpSettings(ProtoMemory.Limits udpMem, int rmemMin) {
    /** {@code udp_rmem_min}'s default: one page. */
    public static final int DEFAULT_RMEM_MIN = 4096;

    public UdpSettings {
        Objects.requireNonNull(udpMem, "udpMem");
        if (rmemMin < 0) {
            throw new IllegalArgumentException("udp_rmem_min must not be negative, got " + rmemMin);
        }
    }

    public static UdpSettings defaults() {
        return new UdpSettings(defaultUdpMem(), DEFAULT_RMEM_MIN);
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
}
