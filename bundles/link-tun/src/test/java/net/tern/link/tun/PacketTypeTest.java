package net.tern.link.tun;

import static org.assertj.core.api.Assertions.assertThat;

import net.tern.spi.net.EtherType;
import org.junit.jupiter.api.Test;

class PacketTypeTest {
    @Test
    void versionFourIsIpv4WhateverTheHeaderLength() {
        assertThat(PacketType.of(0x45)).isEqualTo(EtherType.IPV4);
        assertThat(PacketType.of(0x4f)).isEqualTo(EtherType.IPV4);
        assertThat(PacketType.of(0x40)).isEqualTo(EtherType.IPV4);
    }

    @Test
    void versionSixIsIpv6WhateverTheTrafficClass() {
        assertThat(PacketType.of(0x60)).isEqualTo(EtherType.IPV6);
        assertThat(PacketType.of(0x6f)).isEqualTo(EtherType.IPV6);
    }

    @Test
    void everyOtherNibbleIsUnsupported() {
        for (int version = 0; version < 16; version++) {
            if (version != 4 && version != 6) {
                assertThat(PacketType.of(version << 4 | 5)).as("version %d", version).isEqualTo(PacketType.UNSUPPORTED);
            }
        }
    }

    @Test
    void onlyIpPacketsCanBeWrittenToTheKernel() {
        assertThat(PacketType.writable(EtherType.IPV4)).isTrue();
        assertThat(PacketType.writable(EtherType.IPV6)).isTrue();
        assertThat(PacketType.writable(EtherType.ARP)).isFalse();
    }
}
