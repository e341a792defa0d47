package net.tern.tcp.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.tern.core.packet.PooledPacketAllocator;
import net.tern.core.testing.VirtualTime;
import net.tern.inet.impl.Inet;
import net.tern.inet.impl.InetSettings;
import org.junit.jupiter.api.Test;

/** RFC 6528 initial sequence numbers and the SYN cookie encoding. */
class SecretsTest {
    @Test
    void isnAdvancesWithTheFourMicrosecondClockForOneTuple() {
        VirtualTime time = new VirtualTime();
        Secrets secrets = new Secrets(time, new Random(1));
        int first = secrets.secureTcpSeq(0x0a000001, 0x0a000002, 40000, 80);
        time.advance(4_000, TimeUnit.MICROSECONDS);
        int later = secrets.secureTcpSeq(0x0a000001, 0x0a000002, 40000, 80);
        assertThat(later - first).isEqualTo(1000);
    }

    @Test
    void isnsOfDifferentTuplesOrKeysAreUnrelated() {
        VirtualTime time = new VirtualTime();
        Secrets secrets = new Secrets(time, new Random(1));
        Secrets other = new Secrets(time, new Random(2));
        int a = secrets.secureTcpSeq(0x0a000001, 0x0a000002, 40000, 80);
        assertThat(secrets.secureTcpSeq(0x0a000001, 0x0a000002, 40001, 80)).isNotEqualTo(a);
        assertThat(other.secureTcpSeq(0x0a000001, 0x0a000002, 40000, 80)).isNotEqualTo(a);
    }

    @Test
    void cookiesCarryTheMssIndexForTwoMinutesOnly() {
        VirtualTime time = new VirtualTime();
        PooledPacketAllocator allocator = new PooledPacketAllocator();
        Inet inet = new Inet(time, time, allocator, InetSettings.defaults(), new Random(3));
        Tcp tcp = new Tcp(time, time, time, allocator, inet.output(), inet.fib(), inet.snmp(), inet.localPorts(), TcpSettings.defaults(),
                new Random(3));
        Secrets secrets = tcp.secrets();
        ConnKey key = new ConnKey(0x0a000001, 80, 0x0a000002, 40000);
        int cookie = SynCookies.make(secrets, time, key, 123456, 2);
        assertThat(SynCookies.verify(secrets, time, key, 123456, cookie)).isEqualTo(2);
        assertThat(SynCookies.verify(secrets, time, key, 124456, cookie)).isEqualTo(-1);
        assertThat(SynCookies.verify(secrets, time, new ConnKey(0x0a000001, 80, 0x0a000002, 40001), 123456, cookie))
                .isEqualTo(-1);
        time.advance(61, TimeUnit.SECONDS);
        assertThat(SynCookies.verify(secrets, time, key, 123456, cookie)).isEqualTo(2);
        time.advance(60, TimeUnit.SECONDS);
        assertThat(SynCookies.verify(secrets, time, key, 123456, cookie)).isEqualTo(-1);
    }
}
