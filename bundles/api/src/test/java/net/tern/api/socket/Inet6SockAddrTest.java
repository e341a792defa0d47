package net.tern.api.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class Inet6SockAddrTest {
    static String roundTrip(String text) {
        long[] a = Inet6SockAddr.parseAddress(text);
        return Inet6SockAddr.formatAddress(a[0], a[1]);
    }

    @Test
    void rfc5952canonicalText() {
        assertThat(roundTrip("2001:0db8:0000:0000:0000:0000:0002:0001")).isEqualTo("2001:db8::2:1");
        assertThat(roundTrip("2001:db8:0:1:1:1:1:1")).as("one zero group stays").isEqualTo("2001:db8:0:1:1:1:1:1");
        assertThat(roundTrip("2001:db8:0:0:1:0:0:1")).as("the first of equal runs").isEqualTo("2001:db8::1:0:0:1");
        assertThat(roundTrip("2001:DB8::AAAA")).isEqualTo("2001:db8::aaaa");
        assertThat(roundTrip("::")).isEqualTo("::");
        assertThat(roundTrip("::1")).isEqualTo("::1");
        assertThat(roundTrip("fe80::")).isEqualTo("fe80::");
        assertThat(roundTrip("::ffff:192.0.2.1")).isEqualTo("::ffff:192.0.2.1");
        assertThat(roundTrip("64:ff9b::192.0.2.33")).isEqualTo("64:ff9b::c000:221");
    }

    @Test
    void badTextIsRefused() {
        for (String bad : new String[] {"1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "12345::", "g::", ":1", ""}) {
            assertThatThrownBy(() -> Inet6SockAddr.parseAddress(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void socketAddressesParseAndPrintWithBracketsAndScope() {
        Inet6SockAddr a = Inet6SockAddr.parse("[fe80::1%3]:7");
        assertThat(a.scopeId()).isEqualTo(3);
        assertThat(a.port()).isEqualTo(7);
        assertThat(a.family()).isEqualTo(SocketConstants.AF_INET6);
        assertThat(a).hasToString("[fe80::1%3]:7");
        assertThat(Inet6SockAddr.v4Mapped(new InetSockAddr(0x7f000001, 80))).hasToString("[::ffff:127.0.0.1]:80")
                .satisfies(m -> assertThat(m.isV4Mapped()).isTrue());
    }
}
