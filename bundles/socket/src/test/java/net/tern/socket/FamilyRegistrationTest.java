package net.tern.socket;

import static net.tern.api.socket.SocketConstants.SOCK_DGRAM;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import net.tern.api.socket.Errno;
import net.tern.api.socket.FamilyInfo;
import net.tern.api.socket.ProtocolInfo;
import net.tern.testfamily.TestLocal;
import net.tern.testfamily.TestLocalFamily;
import org.junit.jupiter.api.Test;

class FamilyRegistrationTest extends SocketLayerTestBase {

    @Test
    void familiesListsEachFamilyWithItsProtocolsAndOpenSockets() throws Exception {
        stream();
        dgram();
        assertThat(api.families()).containsExactly(new FamilyInfo(AF, TestLocal.NAME, java.util.List.of(
                new ProtocolInfo(SOCK_STREAM, TestLocal.PROTO_STREAM, TestLocal.PROTO_STREAM_NAME, true),
                new ProtocolInfo(SOCK_DGRAM, TestLocal.PROTO_DGRAM, TestLocal.PROTO_DGRAM_NAME, true)), 2));
        api.close(3);
        assertThat(api.families().get(0).openSockets()).isEqualTo(1);
    }

    @Test
    void aFamilyRegisteredLaterServesNewSockets() throws Exception {
        SocketLayer layer = new SocketLayer(time, time);
        assertThat(layer.families()).isEmpty();
        assertErrno(Errno.EAFNOSUPPORT, () -> layer.socket(AF, SOCK_STREAM, 0));
        layer.bindFamily(new TestLocalFamily(time), familyProperties(0, 5));
        assertThat(layer.socket(AF, SOCK_STREAM, 0)).isEqualTo(3);
        assertThat(layer.families()).extracting(FamilyInfo::family).containsExactly(AF);
        layer.deactivate();
    }

    @Test
    void theHigherRankedFamilyTakesNewSocketsAndTheOtherTakesOverWhenItLeaves() throws Exception {
        int onFirst = stream();
        api.bind(onFirst, port(7000));

        TestLocalFamily second = new TestLocalFamily(time);
        Map<String, Object> secondProperties = familyProperties(10, 2);
        api.bindFamily(second, secondProperties);
        int onSecond = stream();
        api.bind(onSecond, port(7000));
        assertThat(second.openSockets()).as("a separate port space").isEqualTo(1);
        assertThat(api.families()).singleElement().extracting(FamilyInfo::openSockets).isEqualTo(2);

        api.unbindFamily(second, secondProperties);
        assertErrno(Errno.ECONNABORTED, () -> api.getsockname(onSecond));
        assertThat(api.getsockname(onFirst)).as("the first family's socket is untouched").isEqualTo(port(7000));
        int again = stream();
        assertErrno(Errno.EADDRINUSE, () -> api.bind(again, port(7000)));
    }

    @Test
    void aLowerRankedFamilyWaitsInReserve() throws Exception {
        TestLocalFamily reserve = new TestLocalFamily(time);
        Map<String, Object> reserveProperties = familyProperties(-5, 3);
        api.bindFamily(reserve, reserveProperties);
        stream();
        assertThat(reserve.openSockets()).isZero();
        assertThat(family.openSockets()).isEqualTo(1);

        api.updatedFamily(reserve, familyProperties(50, 3));
        stream();
        assertThat(reserve.openSockets()).as("re-ranked above").isEqualTo(1);

        api.unbindFamily(reserve, reserveProperties);
        assertThat(family.openSockets()).isEqualTo(1);
        stream();
        assertThat(family.openSockets()).isEqualTo(2);
    }

    @Test
    void equalRankingsFavourTheOlderService() throws Exception {
        TestLocalFamily younger = new TestLocalFamily(time);
        api.bindFamily(younger, familyProperties(0, 9));
        stream();
        assertThat(younger.openSockets()).isZero();
    }

    @Test
    void aServiceWithoutTheFamilyPropertyIsFiledUnderItsOwnNumber() throws Exception {
        SocketLayer layer = new SocketLayer(time, time);
        layer.bindFamily(new TestLocalFamily(time), Map.of());
        assertThat(layer.socket(AF, SOCK_DGRAM, 0)).isEqualTo(3);
        layer.deactivate();
    }

    @Test
    void aFamilyNumberGivenAsAStringPicksTheSlot() throws Exception {
        SocketLayer layer = new SocketLayer(time, time);
        layer.bindFamily(new TestLocalFamily(time), Map.of("family", "0xfa", "service.id", 4L));
        assertThat(layer.socket(AF, SOCK_DGRAM, 0)).isEqualTo(3);
        layer.deactivate();
    }

    @Test
    void aServiceWhoseFamilyPropertyIsNoFamilyNumberIsIgnored() {
        SocketLayer layer = new SocketLayer(time, time);
        layer.bindFamily(new TestLocalFamily(time), Map.of("family", 256, "service.id", 4L));
        layer.bindFamily(new TestLocalFamily(time), Map.of("family", "testlocal", "service.id", 5L));
        assertThat(layer.families()).isEmpty();
        assertErrno(Errno.EAFNOSUPPORT, () -> layer.socket(AF, SOCK_DGRAM, 0));
        layer.deactivate();
    }

    @Test
    void aServiceThatMovesToAnotherFamilyNumberLeavesItsOldSlot() throws Exception {
        SocketLayer layer = new SocketLayer(time, time);
        TestLocalFamily moving = new TestLocalFamily(time);
        layer.bindFamily(moving, Map.of("family", AF, "service.id", 4L));
        int fd = layer.socket(AF, SOCK_DGRAM, 0);

        layer.updatedFamily(moving, Map.of("family", AF + 1, "service.id", 4L));

        assertErrno(Errno.EAFNOSUPPORT, () -> layer.socket(AF, SOCK_DGRAM, 0));
        assertErrno(Errno.ECONNABORTED, () -> layer.getsockname(fd));
        assertThat(layer.families()).extracting(FamilyInfo::family).containsExactly(AF + 1);
        layer.deactivate();
    }
}
