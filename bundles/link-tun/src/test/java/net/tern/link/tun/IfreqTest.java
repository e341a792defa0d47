package net.tern.link.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class IfreqTest {
    @Test
    void isFortyBytesWithTheNameNulTerminatedAtOffsetZero() {
        byte[] raw = Ifreq.named("tun7").array();

        assertThat(raw).hasSize(40);
        assertThat(new String(raw, 0, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("tun7");
        for (int i = 4; i < 40; i++) {
            assertThat(raw[i]).as("byte %d", i).isZero();
        }
    }

    @Test
    void putsTunSetIffFlagsAsANativeShortAtOffsetSixteen() {
        byte[] raw = Ifreq.named("tun0").flags(TunFile.IFF_TUN | TunFile.IFF_NO_PI).array();

        ByteBuffer view = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
        assertThat(view.getShort(16)).isEqualTo((short) 0x1001);
        assertThat(raw[18]).isZero();
        assertThat(Ifreq.named("tun0").flags(0x1001).flags()).isEqualTo(0x1001);
    }

    @Test
    void putsTheMtuAsANativeIntAtOffsetSixteen() {
        byte[] raw = Ifreq.named("tun0").mtu(9000).array();

        assertThat(ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder()).getInt(16)).isEqualTo(9000);
    }

    @Test
    void readsBackTheNameTheKernelWrote() {
        Ifreq ifr = Ifreq.named("tun%d");
        byte[] raw = ifr.array();
        raw[3] = '3';
        raw[4] = 0;

        assertThat(ifr.name()).isEqualTo("tun3");
    }

    @Test
    void acceptsFifteenCharactersAndRefusesSixteenOrNone() {
        assertThat(Ifreq.named("a23456789012345").name()).isEqualTo("a23456789012345");
        assertThatThrownBy(() -> Ifreq.named("a234567890123456"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..15 characters");
        assertThatThrownBy(() -> Ifreq.named("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tunSetIffIsIowOfTwoHundredTwoOnT() {
        // _IOW(type, nr, size) = (1 << 30) | (size << 16) | (type << 8) | nr  (asm-generic/ioctl.h)
        long iow = (1L << 30) | (4L << 16) | ('T' << 8) | 202;

        assertThat(TunFile.TUNSETIFF).isEqualTo(iow).isEqualTo(0x400454caL);
    }
}
