package net.tern.shell;

import static org.assertj.core.api.Assertions.assertThat;

import net.tern.api.socket.InetSockAddr;
import net.tern.netlink.diag.InetDiagMsg;
import net.tern.spi.diag.SkMemInfo;
import org.junit.jupiter.api.Test;

/** The words of {@code ss -o -e -m}, each as iproute2's ss.c writes it (seen from ss 6.1 on this kernel). */
class SsDetailsTest {
    private static InetDiagMsg msg(int timer, int retrans, int expires, int uid, int inode, long cookie) {
        return new InetDiagMsg(2, 1, timer, retrans, InetSockAddr.parse("127.0.0.1:7"),
                InetSockAddr.parse("127.0.0.1:40000"), 0, cookie, expires, 0, 0, uid, inode);
    }

    @Test
    void msTimerShortensAsPrintMsTimerDoes() {
        assertThat(SsDetails.msTimer(200)).isEqualTo("200ms");
        assertThat(SsDetails.msTimer(1_500)).isEqualTo("1.500ms");
        assertThat(SsDetails.msTimer(9_001)).isEqualTo("9.001ms");
        assertThat(SsDetails.msTimer(10_000)).isEqualTo("10sec");
        assertThat(SsDetails.msTimer(48_700)).isEqualTo("48sec");
        assertThat(SsDetails.msTimer(123_456)).isEqualTo("2min3sec");
        assertThat(SsDetails.msTimer(600_000)).isEqualTo("10min");
        assertThat(SsDetails.msTimer(7_159_000)).isEqualTo("119min");
        assertThat(SsDetails.msTimer(0)).isEmpty();
    }

    @Test
    void timerNamesEachKindWithItsExpiryAndCount() {
        assertThat(SsDetails.timer(msg(0, 0, 0, 0, 3, 1))).isNull();
        assertThat(SsDetails.timer(msg(1, 0, 200, 0, 3, 1))).isEqualTo("timer:(on,200ms,0)");
        assertThat(SsDetails.timer(msg(1, 3, 1_600, 0, 3, 1))).isEqualTo("timer:(on,1.600ms,3)");
        assertThat(SsDetails.timer(msg(2, 0, 7_159_000, 0, 3, 1))).isEqualTo("timer:(keepalive,119min,0)");
        assertThat(SsDetails.timer(msg(3, 0, 54_000, 0, 0, 1))).isEqualTo("timer:(timewait,54sec,0)");
        assertThat(SsDetails.timer(msg(4, 2, 600, 0, 3, 1))).isEqualTo("timer:(persist,600ms,2)");
        assertThat(SsDetails.timer(msg(9, 0, 1, 0, 3, 1))).isEqualTo("timer:(unknown,001ms,0)");
    }

    @Test
    void extendedGivesUidOnlyWhenNotRootThenInodeCookieInHexAndShutdown() {
        assertThat(SsDetails.extended(msg(0, 0, 0, 0, 17_721, 0x1f), 0)).isEqualTo("ino:17721 sk:1f <->");
        assertThat(SsDetails.extended(msg(0, 0, 0, 1000, 4, 2), 1)).isEqualTo("uid:1000 ino:4 sk:2 -->");
        assertThat(SsDetails.extended(msg(0, 0, 0, 0, 4, 2), 2)).isEqualTo("ino:4 sk:2 <--");
        assertThat(SsDetails.extended(msg(0, 0, 0, 0, 4, 2), 3)).isEqualTo("ino:4 sk:2 ---");
        assertThat(SsDetails.extended(msg(0, 0, 0, 0, 0, 5), -1)).isEqualTo("ino:0 sk:5");
    }

    @Test
    void memoryPrefersSkmemThenMeminfoThenNothing() {
        assertThat(SsDetails.memory(new SkMemInfo(0, 131_072, 0, 16_384, 0, 0, 0, 0, 0), null))
                .isEqualTo("skmem:(r0,rb131072,t0,tb16384,f0,w0,o0,bl0,d0)");
        assertThat(SsDetails.memory(new SkMemInfo(1_280, 212_992, 0, 212_992, 2_816, 4_352, 0, 768, 2), null))
                .isEqualTo("skmem:(r1280,rb212992,t0,tb212992,f2816,w4352,o0,bl768,d2)");
        assertThat(SsDetails.memory(null, new int[] {1, 2, 3, 4})).isEqualTo("mem:(r1,w2,f3,t4)");
        assertThat(SsDetails.memory(null, null)).isNull();
    }
}
