package net.tern.socket;

import static net.tern.api.socket.SocketConstants.SOCK_DGRAM;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_RAW;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_DOMAIN;
import static net.tern.api.socket.SocketConstants.SO_PROTOCOL;
import static net.tern.api.socket.SocketConstants.SO_TYPE;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.testfamily.TestLocal;
import org.junit.jupiter.api.Test;

class SocketCreationTest extends SocketLayerTestBase {

    @Test
    void unregisteredFamilyIsEafnosupportNamingTheFamily() {
        ErrnoException e = assertErrno(Errno.EAFNOSUPPORT, () -> api.socket(99, SOCK_STREAM, 0));
        assertThat(e.getMessage()).contains("socket(family 99, type 1, protocol 0)")
                .contains("no protocol family 99");
    }

    @Test
    void familyNumberOutsideTheTableIsEafnosupport() {
        assertErrno(Errno.EAFNOSUPPORT, () -> api.socket(-1, SOCK_STREAM, 0));
        assertErrno(Errno.EAFNOSUPPORT, () -> api.socket(4096, SOCK_STREAM, 0));
    }

    @Test
    void typeTheFamilyLacksIsEsocktnosupport() {
        ErrnoException e = assertErrno(Errno.ESOCKTNOSUPPORT, () -> api.socket(AF, SOCK_RAW, 0));
        assertThat(e.getMessage()).contains("socket(family 250, type 3, protocol 0)");
    }

    @Test
    void protocolTheFamilyLacksIsEprotonosupport() {
        assertErrno(Errno.EPROTONOSUPPORT, () -> api.socket(AF, SOCK_STREAM, 7));
    }

    @Test
    void protocolOfTheOtherTypeIsEprototype() {
        assertErrno(Errno.EPROTOTYPE, () -> api.socket(AF, SOCK_DGRAM, TestLocal.PROTO_STREAM));
        assertErrno(Errno.EPROTOTYPE, () -> api.socket(AF, SOCK_STREAM, TestLocal.PROTO_DGRAM));
    }

    @Test
    void unknownTypeFlagsAreEinval() {
        ErrnoException e = assertErrno(Errno.EINVAL, () -> api.socket(AF, SOCK_STREAM | 0x80000, 0));
        assertThat(e.getMessage()).contains("unknown type flags 0x80000");
    }

    @Test
    void protocolZeroPicksTheTypesDefault() throws Exception {
        int stream = api.socket(AF, SOCK_STREAM, 0);
        int dgram = api.socket(AF, SOCK_DGRAM, TestLocal.PROTO_DGRAM);
        assertThat(api.getsockopt(stream, SOL_SOCKET, SO_PROTOCOL)).isEqualTo(TestLocal.PROTO_STREAM);
        assertThat(api.getsockopt(stream, SOL_SOCKET, SO_TYPE)).isEqualTo(SOCK_STREAM);
        assertThat(api.getsockopt(stream, SOL_SOCKET, SO_DOMAIN)).isEqualTo(AF);
        assertThat(api.getsockopt(dgram, SOL_SOCKET, SO_PROTOCOL)).isEqualTo(TestLocal.PROTO_DGRAM);
        assertThat(api.getsockopt(dgram, SOL_SOCKET, SO_TYPE)).isEqualTo(SOCK_DGRAM);
    }

    @Test
    void sockNonblockMakesTheSocketNonBlocking() throws Exception {
        int fd = api.socket(AF, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        assertThat(api.isNonBlocking(fd)).isTrue();
        assertThat(api.isNonBlocking(dgram())).isFalse();
        assertErrno(Errno.EAGAIN, () -> api.recv(fd, ByteBuffer.allocate(8), 0));
    }

    @Test
    void setNonBlockingSwitchesTheMode() throws Exception {
        int fd = dgram();
        api.setNonBlocking(fd, true);
        assertThat(api.isNonBlocking(fd)).isTrue();
        assertErrno(Errno.EAGAIN, () -> api.recv(fd, ByteBuffer.allocate(8), 0));
        api.setNonBlocking(fd, false);
        assertThat(api.isNonBlocking(fd)).isFalse();
    }

    @Test
    void descriptorsStartAtThreeAndReuseTheLowestFree() throws Exception {
        assertThat(stream()).isEqualTo(3);
        assertThat(stream()).isEqualTo(4);
        assertThat(dgram()).isEqualTo(5);
        assertThat(api.epollCreate()).isEqualTo(6);
        api.close(4);
        api.close(3);
        assertThat(stream()).isEqualTo(3);
        assertThat(stream()).isEqualTo(4);
        assertThat(stream()).isEqualTo(7);
    }

    @Test
    void failedCreationGivesItsDescriptorBack() throws Exception {
        assertErrno(Errno.ESOCKTNOSUPPORT, () -> api.socket(AF, SOCK_RAW, 0));
        assertThat(stream()).isEqualTo(3);
        assertThat(api.openDescriptors()).isEqualTo(1);
    }

    @Test
    void beyondTheDescriptorLimitIsEmfile() throws Exception {
        SocketLayer small = new SocketLayer(time, time, 6);
        small.bindFamily(family, familyProperties(0, 1));
        assertThat(small.socket(AF, SOCK_STREAM, 0)).isEqualTo(3);
        assertThat(small.socket(AF, SOCK_STREAM, 0)).isEqualTo(4);
        assertThat(small.socket(AF, SOCK_DGRAM, 0)).isEqualTo(5);
        ErrnoException e = assertErrno(Errno.EMFILE, () -> small.socket(AF, SOCK_STREAM, 0));
        assertThat(e.getMessage()).contains("all 6 descriptors are in use");
        assertErrno(Errno.EMFILE, small::epollCreate);
        small.close(4);
        assertThat(small.socket(AF, SOCK_STREAM, 0)).isEqualTo(4);
        small.deactivate();
    }
}
