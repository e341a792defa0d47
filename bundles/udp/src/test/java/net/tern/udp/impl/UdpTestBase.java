package net.tern.udp.impl;

import java.nio.ByteBuffer;
import java.util.Arrays;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.RecvResult;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.udp.testing.UdpTestBed;
import net.tern.udp.testing.UdpWire;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** A {@link UdpTestBed} per test, closed after it, with the packet leak check on; plus socket helpers. */
@ExtendWith(PacketLeakCheck.class)
abstract class UdpTestBase {
    static final int LOOPBACK = InetSockAddr.INADDR_LOOPBACK;

    UdpTestBed bed;
    SocketApi api;

    @BeforeEach
    void startBed() throws ErrnoException {
        bed = newBed();
        api = bed.api();
    }

    /** The bed for each test; override for other settings. */
    UdpTestBed newBed() throws ErrnoException {
        return new UdpTestBed();
    }

    @AfterEach
    void closeBed() {
        bed.close();
    }

    /** What one receive gave: the bytes stored, the call's return value, the sender and the flags. */
    record Received(byte[] data, int returned, SockAddr from, int flags) {
    }

    static InetSockAddr lo(int port) {
        return new InetSockAddr(LOOPBACK, port);
    }

    static InetSockAddr at(String address, int port) {
        return new InetSockAddr(UdpWire.addr(address), port);
    }

    /** A non-blocking UDP socket bound to {@code address}. */
    int bound(InetSockAddr address) throws ErrnoException {
        int fd = bed.udpSocket();
        api.bind(fd, address);
        return fd;
    }

    int sendTo(int fd, byte[] data, SockAddr to) throws ErrnoException {
        return api.sendto(fd, ByteBuffer.wrap(data), 0, to);
    }

    int send(int fd, byte[] data) throws ErrnoException {
        return api.send(fd, ByteBuffer.wrap(data), 0);
    }

    Received recv(int fd, int capacity) throws ErrnoException {
        return recv(fd, capacity, 0);
    }

    Received recv(int fd, int capacity, int flags) throws ErrnoException {
        ByteBuffer dst = ByteBuffer.allocate(capacity);
        RecvResult r = api.recvfrom(fd, dst, flags);
        return new Received(Arrays.copyOf(dst.array(), dst.position()), r.bytes(), r.from(), r.flags());
    }

    int localPort(int fd) throws ErrnoException {
        return ((InetSockAddr) api.getsockname(fd)).port();
    }

    /** A socket call that is expected to fail. */
    interface Call {
        void run() throws ErrnoException;
    }

    static ErrnoException failure(Call call) {
        try {
            call.run();
        } catch (ErrnoException e) {
            return e;
        }
        throw new AssertionError("expected the call to fail with an ErrnoException");
    }

    static Errno errnoOf(Call call) {
        return failure(call).errno();
    }
}
