package net.tern.link.tun;

import static org.assertj.core.api.Assertions.assertThat;

import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import org.junit.jupiter.api.Test;

class TunErrorsTest {
    @Test
    void permissionDeniedSaysToRunAsRootOrGrantCapNetAdmin() {
        for (Errno errno : new Errno[] {Errno.EPERM, Errno.EACCES}) {
            ErrnoException e = TunErrors.openFailed("/dev/net/tun", errno.number());

            assertThat(e.errno()).isEqualTo(errno);
            assertThat(e.getMessage()).contains("open(/dev/net/tun)")
                    .contains("not permitted to open /dev/net/tun: run as root or grant CAP_NET_ADMIN");
        }
    }

    @Test
    void aMissingDeviceSaysToLoadTheTunModule() {
        for (Errno errno : new Errno[] {Errno.ENOENT, Errno.ENODEV}) {
            ErrnoException e = TunErrors.openFailed("/dev/net/tun", errno.number());

            assertThat(e.errno()).isEqualTo(errno);
            assertThat(e.getMessage()).contains("/dev/net/tun is missing: load the tun module");
        }
        ErrnoException enxio = TunErrors.openFailed("/dev/net/tun", LibC.ENXIO);
        assertThat(enxio.errno()).isEqualTo(Errno.ENXIO);
        assertThat(enxio.getMessage()).contains("load the tun module");
    }

    @Test
    void tunSetIffErrorsNameTheInterfaceAndTheCause() {
        assertThat(TunErrors.setIffFailed("tun3", Errno.EPERM.number()).getMessage())
                .contains("ioctl(TUNSETIFF, tun3)").contains("run as root or grant CAP_NET_ADMIN");
        assertThat(TunErrors.setIffFailed("tun3", Errno.EBUSY.number()))
                .satisfies(e -> assertThat(e.errno()).isEqualTo(Errno.EBUSY))
                .hasMessageContaining("tun3 is already attached");
        assertThat(TunErrors.setIffFailed("eth0", Errno.EINVAL.number()))
                .hasMessageContaining("eth0 exists and is not a TUN device");
    }

    @Test
    void anErrnoTheApiDoesNotListKeepsItsNumber() {
        ErrnoException e = TunErrors.other("read(tun0)", LibC.EBADFD);

        assertThat(e.errno()).isEqualTo(Errno.ENODEV);
        assertThat(e.getMessage()).contains("read(tun0)").contains("errno 77");
    }
}
