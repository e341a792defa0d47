package net.tern.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.List;
import net.tern.api.socket.FamilyInfo;
import net.tern.api.socket.ProtocolInfo;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import org.junit.jupiter.api.Test;

class FamiliesCommandTest {

    /** A socket layer that answers only {@code families()}, which is all the command reads. */
    private static SocketApi reporting(List<FamilyInfo> families) {
        return (SocketApi) Proxy.newProxyInstance(SocketApi.class.getClassLoader(), new Class<?>[] {SocketApi.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("families")) {
                        return families;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void listsEachProtocolOfEachFamilyInOrderWithTheTypeDefaultMarked() {
        FamilyInfo inet = new FamilyInfo(2, "inet", List.of(
                new ProtocolInfo(SocketConstants.SOCK_DGRAM, 17, "UDP", true),
                new ProtocolInfo(SocketConstants.SOCK_STREAM, 6, "TCP", true)), 3);
        FamilyInfo local = new FamilyInfo(1, "unix", List.of(), 0);

        String out = new FamiliesCommand(reporting(List.of(inet, local))).families();

        assertThat(out.lines().toList()).containsExactly(
                "FAMILY  NAME  SOCKETS  TYPE         PROTOCOL  PROTONAME",
                "1       unix  0        -            -         -",
                "2       inet  3        SOCK_STREAM  6         TCP*",
                "2       inet  3        SOCK_DGRAM   17        UDP*");
    }

    @Test
    void saysSoWhenNoFamilyIsRegistered() {
        assertThat(new FamiliesCommand(reporting(List.of())).families()).isEqualTo("no protocol families registered");
    }

    @Test
    void namesUnknownSocketTypesByNumber() {
        FamilyInfo odd = new FamilyInfo(250, "testlocal", List.of(new ProtocolInfo(9, 1, "odd", false)), 0);
        assertThat(new FamiliesCommand(reporting(List.of(odd))).families()).contains("type 9", "odd");
    }
}
