package net.tern.inet.testing;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.sock.InetProto;
import net.tern.inet.sock.InetSock;
import net.tern.inet.sock.SkState;
import net.tern.spi.proto.MsgHeader;

/**
 * A transport for testing the inet layering: ports in a map, datagram connect that
 * associates at once, stream connect that waits for the test to {@link #complete} or
 * {@link #fail} it, and an accept queue the test fills. It records what it is asked.
 */
public final class ToyProto implements InetProto<InetSock> {
    private final String name;
    private final int protocol;
    private final boolean stream;
    private final Map<Integer, InetSock> ports = new HashMap<>();
    private int nextEphemeral = 32768;
    public final List<String> calls = new ArrayList<>();
    public final Deque<InetSock> acceptQueue = new ArrayDeque<>();
    public final List<byte[]> sent = new ArrayList<>();

    public ToyProto(String name, int protocol, boolean stream) {
        this.name = name;
        this.protocol = protocol;
        this.stream = stream;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int socketsInUse() {
        return ports.size();
    }

    @Override
    public int maxHeader() {
        return 8;
    }

    @Override
    public InetSock create() {
        return new InetSock(this, protocol);
    }

    @Override
    public void close(InetSock sk) {
        calls.add("close");
        ports.remove(sk.num(), sk);
        sk.state(SkState.CLOSE);
    }

    @Override
    public void getPort(InetSock sk, int port) throws ErrnoException {
        int chosen = port == 0 ? nextEphemeral++ : port;
        if (ports.containsKey(chosen)) {
            throw new ErrnoException(Errno.EADDRINUSE, "port " + chosen + " in use");
        }
        ports.put(chosen, sk);
        sk.num(chosen);
    }

    @Override
    public boolean autobind() {
        return !stream;
    }

    @Override
    public void connect(InetSock sk, InetSockAddr address) throws ErrnoException {
        calls.add("connect " + address);
        if (stream && sk.num() == 0) {
            getPort(sk, 0);
        }
        sk.daddr(address.address());
        sk.dport(address.port());
        sk.state(stream ? SkState.SYN_SENT : SkState.ESTABLISHED);
    }

    /** The stream connection's peer answered. */
    public void complete(InetSock sk) {
        sk.state(SkState.ESTABLISHED);
        sk.wakeUp(SocketConstants.EPOLLOUT);
    }

    /** The stream connection failed with {@code errno}. */
    public void fail(InetSock sk, Errno errno) {
        sk.state(SkState.CLOSE);
        sk.reportError(errno);
    }

    @Override
    public void disconnect(InetSock sk) {
        calls.add("disconnect");
        sk.daddr(0);
        sk.dport(0);
        sk.state(SkState.CLOSE);
    }

    @Override
    public void listen(InetSock sk, int backlog) throws ErrnoException {
        if (!stream) {
            InetProto.super.listen(sk, backlog);
        }
        if (sk.num() == 0) {
            getPort(sk, 0);
        }
        calls.add("listen " + backlog);
        sk.state(SkState.LISTEN);
    }

    @Override
    public InetSock accept(InetSock sk, int flags) throws ErrnoException {
        if (sk.state() != SkState.LISTEN) {
            throw new ErrnoException(Errno.EINVAL, "not listening");
        }
        InetSock child = acceptQueue.poll();
        if (child == null) {
            throw new ErrnoException(Errno.EAGAIN, "no connection waiting");
        }
        return child;
    }

    @Override
    public int poll(InetSock sk) {
        return SocketConstants.EPOLLOUT;
    }

    @Override
    public void shutdown(InetSock sk, int how) {
        calls.add("shutdown " + how);
    }

    @Override
    public void optionChanged(InetSock sk, int level, int name) {
        calls.add("option " + level + "/" + name);
    }

    @Override
    public int sendmsg(InetSock sk, ByteBuffer data, InetSockAddr to, int flags) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        sent.add(bytes);
        calls.add("sendmsg " + (to == null ? "connected" : to.toString()));
        return bytes.length;
    }

    @Override
    public int recvmsg(InetSock sk, ByteBuffer dst, int flags, MsgHeader msg) throws ErrnoException {
        throw new ErrnoException(Errno.EAGAIN, "nothing queued");
    }
}
