package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.SOL_TCP;
import static net.tern.api.socket.SocketConstants.TCP_TERN_TIMEWAIT_MSECS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketApi;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.spi.diag.InetDiagMsg;
import net.tern.tcp.testing.LoopbackHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Tern's own TCP_TERN_TIMEWAIT_MSECS: one socket's TIME-WAIT length, the stack's left alone. */
@ExtendWith(PacketLeakCheck.class)
class TimeWaitLengthOptionTest {

    private static long timeWaitEntries(LoopbackHost host) {
        return host.host().tcp().diag().dump().stream().filter(m -> m.state() == InetDiagMsg.TIME_WAIT).count();
    }

    @Test
    void theActiveCloserStaysInTimeWaitForItsOwnLengthOnly() throws Exception {
        try (LoopbackHost host = new LoopbackHost()) {
            SocketApi api = host.api();
            int listener = host.listen(7, 4);
            int[] shortOne = host.connectPair(listener, 7);
            int[] defaultOne = host.connectPair(listener, 7);
            assertThat(api.getsockopt(shortOne[0], SOL_TCP, TCP_TERN_TIMEWAIT_MSECS)).isEqualTo(60_000);
            api.setsockopt(shortOne[0], SOL_TCP, TCP_TERN_TIMEWAIT_MSECS, 500);
            assertThat(api.getsockopt(shortOne[0], SOL_TCP, TCP_TERN_TIMEWAIT_MSECS)).isEqualTo(500);
            for (int[] pair : new int[][] {shortOne, defaultOne}) {
                api.close(pair[0]);
                host.runUntilIdle();
                api.close(pair[1]);
                host.runUntilIdle();
            }
            assertThat(timeWaitEntries(host)).isEqualTo(2);

            host.advance(499, TimeUnit.MILLISECONDS);
            assertThat(timeWaitEntries(host)).isEqualTo(2);
            host.advance(2, TimeUnit.MILLISECONDS);
            assertThat(timeWaitEntries(host)).as("the 500 ms one ended").isEqualTo(1);
            host.advance(60, TimeUnit.SECONDS);
            assertThat(timeWaitEntries(host)).isZero();
            api.close(listener);
        }
    }

    @Test
    void lengthsOutsideOneMillisecondToFourMinutesAreEinval() throws Exception {
        try (LoopbackHost host = new LoopbackHost()) {
            int fd = host.startConnect(7);
            for (int bad : new int[] {0, -1, 240_001}) {
                assertThatThrownBy(() -> host.api().setsockopt(fd, SOL_TCP, TCP_TERN_TIMEWAIT_MSECS, bad))
                        .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
            }
            host.api().close(fd);
        }
    }
}
