package net.tern.inet.impl;

import static net.tern.api.socket.SocketConstants.SOCK_DGRAM;
import static net.tern.api.socket.SocketConstants.SOCK_RAW;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static org.assertj.core.api.Assertions.assertThat;

import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.ProtocolInfo;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.route.RouteTable;
import net.tern.inet.impl.route.Fib;
import net.tern.inet.sock.InetDgramOps;
import net.tern.inet.sock.InetProtoSw;
import net.tern.inet.sock.InetSock;
import net.tern.inet.sock.InetStreamOps;
import net.tern.inet.testing.RecordingOwner;
import net.tern.inet.testing.ToyProto;
import net.tern.spi.proto.ProtoSocket;
import net.tern.core.testing.VirtualTime;
import org.junit.jupiter.api.Test;

class InetFamilyTest {
    private final RouteTable routes = new Fib();
    private final InetFamily family = new InetFamily();
    private final ToyProto udp = new ToyProto("UDP", 17, false);
    private final ToyProto tcp = new ToyProto("TCP", 6, true);
    private final InetProtoSw<InetSock> udpSw = new InetProtoSw<>(SOCK_DGRAM, 17, udp, new InetDgramOps(routes));
    private final InetProtoSw<InetSock> tcpSw = new InetProtoSw<>(SOCK_STREAM, 6, tcp, new InetStreamOps(routes, new VirtualTime()));

    InetFamilyTest() {
        family.addProtoSw(udpSw, 0, 1);
        family.addProtoSw(tcpSw, 0, 2);
    }

    private ProtoSocket create(int type, int protocol) throws ErrnoException {
        ProtoSocket sock = new ProtoSocket(SocketConstants.AF_INET, type, new RecordingOwner());
        family.create(sock, protocol);
        return sock;
    }

    private Errno errnoOf(int type, int protocol) {
        try {
            create(type, protocol);
        } catch (ErrnoException e) {
            assertThat(e.getMessage()).contains("inet_create(type " + type + ", protocol " + protocol + ")");
            return e.errno();
        }
        throw new AssertionError("expected an ErrnoException");
    }

    @Test
    void isAfInetNamedInet() {
        assertThat(family.family()).isEqualTo(2);
        assertThat(family.name()).isEqualTo("inet");
    }

    @Test
    void anExactProtocolAttachesItsOpsAndState() throws Exception {
        ProtoSocket sock = create(SOCK_DGRAM, 17);
        assertThat(sock.ops()).isSameAs(udpSw.ops());
        assertThat(sock.protocol()).isEqualTo(17);
        assertThat(sock.sk(InetSock.class).prot()).isSameAs(udp);
        assertThat(sock.sk(InetSock.class).socket()).isSameAs(sock);
    }

    @Test
    void protocolZeroPicksTheTypesDefault() throws Exception {
        assertThat(create(SOCK_STREAM, 0).protocol()).isEqualTo(6);
        assertThat(create(SOCK_DGRAM, 0).protocol()).isEqualTo(17);
    }

    @Test
    void theHighestRankedEntryIsTheDefaultThenTheFirstRegistered() throws Exception {
        ToyProto lite = new ToyProto("UDPLITE", 136, false);
        InetProtoSw<InetSock> liteSw = new InetProtoSw<>(SOCK_DGRAM, 136, lite, new InetDgramOps(routes));
        family.addProtoSw(liteSw, 0, 3);
        assertThat(create(SOCK_DGRAM, 0).protocol()).as("first registered").isEqualTo(17);

        family.removeProtoSw(liteSw, 3);
        family.addProtoSw(liteSw, 10, 3);
        assertThat(create(SOCK_DGRAM, 0).protocol()).as("higher ranking").isEqualTo(136);
        assertThat(create(SOCK_DGRAM, 17).protocol()).isEqualTo(17);
    }

    @Test
    void errnoMapping() {
        assertThat(errnoOf(SOCK_RAW, 0)).as("an inet type whose protocols are not loaded").isEqualTo(Errno.EPROTONOSUPPORT);
        assertThat(errnoOf(SocketConstants.SOCK_SEQPACKET, 0)).as("a type inet never serves").isEqualTo(Errno.ESOCKTNOSUPPORT);
        assertThat(errnoOf(SOCK_STREAM, 17)).as("a protocol of another type").isEqualTo(Errno.EPROTOTYPE);
        assertThat(errnoOf(SOCK_DGRAM, 99)).as("an unknown protocol").isEqualTo(Errno.EPROTONOSUPPORT);
        assertThat(errnoOf(SOCK_DGRAM, 256)).as("out of range").isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(SOCK_DGRAM, -1)).isEqualTo(Errno.EINVAL);
    }

    @Test
    void aTransportThatLeavesTakesItsEntryWithIt() {
        family.removeProtoSw(tcpSw, 2);
        assertThat(errnoOf(SOCK_STREAM, 0)).isEqualTo(Errno.EPROTONOSUPPORT);
        assertThat(errnoOf(SOCK_STREAM, 6)).isEqualTo(Errno.EPROTONOSUPPORT);
    }

    @Test
    void protocolsListsEntriesWithTheirDefaults() {
        ToyProto lite = new ToyProto("UDPLITE", 136, false);
        family.addProtoSw(new InetProtoSw<>(SOCK_DGRAM, 136, lite, new InetDgramOps(routes)), 0, 3);
        assertThat(family.protocols()).containsExactly(
                new ProtocolInfo(SOCK_STREAM, 6, "TCP", true),
                new ProtocolInfo(SOCK_DGRAM, 17, "UDP", true),
                new ProtocolInfo(SOCK_DGRAM, 136, "UDPLITE", false));
    }

    @Test
    void anEntryOfATypeNoSocketCanHaveIsIgnored() {
        ToyProto odd = new ToyProto("ODD", 200, false);
        boolean taken = family.addProtoSw(new InetProtoSw<>(SocketConstants.SOCK_TYPE_MASK + 1, 200, odd,
                new InetDgramOps(routes)), 0, 3);

        assertThat(taken).isFalse();
        assertThat(family.protocols()).extracting(ProtocolInfo::protocol).containsExactly(6, 17);
    }

    @Test
    void theSameEntryAddedAgainIsReRankedNotDuplicated() throws Exception {
        ToyProto lite = new ToyProto("UDPLITE", 136, false);
        InetProtoSw<InetSock> liteSw = new InetProtoSw<>(SOCK_DGRAM, 136, lite, new InetDgramOps(routes));
        family.addProtoSw(liteSw, 0, 3);
        family.addProtoSw(liteSw, 10, 3);

        assertThat(create(SOCK_DGRAM, 0).protocol()).isEqualTo(136);
        assertThat(family.protocols()).hasSize(3);
        family.removeProtoSw(liteSw, 3);
        assertThat(create(SOCK_DGRAM, 0).protocol()).isEqualTo(17);
    }
}
