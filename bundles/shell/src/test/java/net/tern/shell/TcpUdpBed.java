package net.tern.shell;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;

import java.util.Random;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.core.testing.TestStack;
import net.tern.tcp.impl.Tcp;
import net.tern.tcp.impl.TcpSettings;
import net.tern.udp.testing.UdpTestBed;

/**
 * A whole stack without OSGi for the shell's tests: UDP's test bed (IPv4, {@code lo}, the
 * socket layer, UDP, in virtual time) with TCP wired in by hand as its bundle would register
 * it (IP protocol 6 and the SOCK_STREAM protosw).
 */
final class TcpUdpBed implements AutoCloseable {
    final UdpTestBed bed;
    final Tcp tcp;

    TcpUdpBed() throws ErrnoException {
        bed = new UdpTestBed();
        TestStack s = bed.stack();
        tcp = new Tcp(s.clock(), s.timers(), s.networkThread(), s.allocator(), bed.inet().output(), bed.inet().fib(),
                bed.inet().snmp(), bed.inet().localPorts(), TcpSettings.defaults(), new Random(7));
        bed.inet().addProtocol(tcp, 6);
        bed.inet().family().addProtoSw(tcp.protoSw(), 0, 100);
    }

    SocketApi api() {
        return bed.api();
    }

    /** A non-blocking TCP listener on 127.0.0.1:{@code port}. */
    int listen(int port) throws ErrnoException {
        int fd = api().socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api().bind(fd, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, port));
        api().listen(fd, 16);
        return fd;
    }

    /** A non-blocking TCP socket connecting to 127.0.0.1:{@code port}; the handshake runs when time does. */
    int connect(int port) throws ErrnoException {
        int fd = api().socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        try {
            api().connect(fd, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, port));
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EINPROGRESS) {
                throw e;
            }
        }
        return fd;
    }

    @Override
    public void close() {
        tcp.close();
        bed.runUntilIdle();
        bed.close();
    }
}
