package net.tern.link.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.LastErrorException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import org.junit.jupiter.api.Test;

/**
 * The kernel's refusals on the way to a TUN file, without root: a C library whose
 * {@code open} or {@code ioctl(TUNSETIFF)} fails with the errno the kernel gives an
 * unprivileged caller (EACCES from {@code open} when {@code /dev/net/tun} is not readable,
 * EPERM from {@code TUNSETIFF} without CAP_NET_ADMIN), or another process's hold (EBUSY).
 * Each becomes an {@link ErrnoException} naming the cause and the fix, and a descriptor
 * already opened is closed again.
 */
class TunOpenFailureTest {
    private static final int FD = 42;
    private final List<String> calls = new ArrayList<>();

    /** A libc whose {@code open} gives {@link #FD} or fails with {@code openErrno}, whose ioctl fails with {@code ioctlErrno}. */
    private LibC failing(int openErrno, int ioctlErrno) {
        return (LibC) Proxy.newProxyInstance(LibC.class.getClassLoader(), new Class<?>[] {LibC.class},
                (proxy, method, args) -> {
                    calls.add(method.getName());
                    switch (method.getName()) {
                        case "open" -> {
                            if (openErrno != 0) {
                                throw new LastErrorException(openErrno);
                            }
                            return FD;
                        }
                        case "ioctl" -> throw new LastErrorException(ioctlErrno);
                        case "close" -> {
                            assertThat(args[0]).isEqualTo(FD);
                            return 0;
                        }
                        default -> throw new AssertionError("unexpected call " + method.getName());
                    }
                });
    }

    @Test
    void eaccesFromOpenSaysToRunAsRootAndOpensNothing() {
        assertThatThrownBy(() -> TunFile.openHere(TunSettings.of("tun7"), failing(Errno.EACCES.number(), 0)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EACCES))
                .hasMessageContaining("open(/dev/net/tun): not permitted to open /dev/net/tun")
                .hasMessageContaining("run as root or grant CAP_NET_ADMIN");
        assertThat(calls).containsExactly("open");
    }

    @Test
    void epermFromTunSetIffNamesTheInterfaceAndClosesTheFile() {
        assertThatThrownBy(() -> TunFile.openHere(TunSettings.of("tun7"), failing(0, Errno.EPERM.number())))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EPERM))
                .hasMessageContaining("ioctl(TUNSETIFF, tun7): not permitted to create or attach tun7")
                .hasMessageContaining("CAP_NET_ADMIN");
        assertThat(calls).containsExactly("open", "ioctl", "close");
    }

    @Test
    void ebusyFromTunSetIffSaysAnotherFileHoldsTheInterface() {
        assertThatThrownBy(() -> TunFile.openHere(TunSettings.of("tun7"), failing(0, Errno.EBUSY.number())))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EBUSY))
                .hasMessageContaining("already attached to another open file");
        assertThat(calls).containsExactly("open", "ioctl", "close");
    }
}
