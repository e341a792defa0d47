package net.tern.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.RecvResult;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;

/**
 * A netlink socket opened through the socket API, with the request-and-answer loop tools
 * write around one (iproute2's {@code rtnl_dump_request}, {@code rtnl_dump_filter},
 * {@code rtnl_talk}): {@link #dump} collects a dump's messages up to {@code NLMSG_DONE},
 * {@link #talk} waits for the acknowledgement, and an {@code NLMSG_ERROR} becomes an
 * {@link ErrnoException} with its errno and the stack's reason. Blocking; one caller at a time.
 */
public final class NetlinkSocket implements AutoCloseable {
    private final SocketApi api;
    private final int fd;
    private int seq;
    private ByteBuffer receiveBuffer = ByteBuffer.allocate(32 * 1024).order(ByteOrder.LITTLE_ENDIAN);

    private NetlinkSocket(SocketApi api, int fd) {
        this.api = api;
        this.fd = fd;
    }

    /**
     * {@code socket(AF_NETLINK, SOCK_RAW, protocol)} with extended acknowledgements on, so
     * errors carry the stack's reason, and strict checking, so dump headers filter (as
     * iproute2 opens its sockets). EAFNOSUPPORT when no netlink family is running.
     */
    public static NetlinkSocket open(SocketApi api, int protocol) throws ErrnoException {
        int fd = api.socket(Netlink.AF_NETLINK, SocketConstants.SOCK_RAW, protocol);
        try {
            api.setsockopt(fd, Netlink.SOL_NETLINK, Netlink.NETLINK_EXT_ACK, 1);
            api.setsockopt(fd, Netlink.SOL_NETLINK, Netlink.NETLINK_GET_STRICT_CHK, 1);
            api.bind(fd, new SockAddrNl(0, 0));
        } catch (ErrnoException e) {
            api.close(fd);
            throw e;
        }
        return new NetlinkSocket(api, fd);
    }

    /** The descriptor. */
    public int fd() {
        return fd;
    }

    /** A writer with a request's header begun: {@code type}, {@code NLM_F_REQUEST | flags}, the next sequence number. */
    public NlWriter request(int type, int flags) {
        return new NlWriter().begin(type, Netlink.NLM_F_REQUEST | flags, ++seq, 0);
    }

    /** Sends the request in {@code w} (ending it first if it is still open) to the stack. */
    public void send(NlWriter w) throws ErrnoException {
        if (w.messageLength() > 0) {
            w.end();
        }
        ByteBuffer data = w.toBuffer();
        api.sendto(fd, data, 0, SockAddrNl.KERNEL);
    }

    /** Sends a dump request and returns its answer's messages, without the closing {@code NLMSG_DONE}. */
    public List<NlMsg> dump(NlWriter w) throws ErrnoException {
        send(w);
        List<NlMsg> result = new ArrayList<>();
        while (true) {
            for (NlMsg m : receive()) {
                if (m.seq() != seq) {
                    continue; // a notification, or the answer of an earlier request
                }
                if (m.isDone()) {
                    return result;
                }
                if (m.isError()) {
                    throwIfError(m);
                    continue;
                }
                result.add(m);
            }
        }
    }

    /**
     * Sends a request with {@code NLM_F_ACK} set and waits for its acknowledgement; returns
     * the messages the stack answered with before it (a {@code GET} of one object).
     */
    public List<NlMsg> talk(NlWriter w) throws ErrnoException {
        send(w);
        List<NlMsg> result = new ArrayList<>();
        while (true) {
            for (NlMsg m : receive()) {
                if (m.seq() != seq) {
                    continue;
                }
                if (m.isError()) {
                    throwIfError(m);
                    return result;
                }
                result.add(m);
            }
        }
    }

    /**
     * The messages of the next datagram, waiting for one. Its size is peeked first
     * ({@code MSG_PEEK | MSG_TRUNC}, as iproute2 does), so no message is ever cut.
     */
    public List<NlMsg> receive() throws ErrnoException {
        receiveBuffer.clear();
        int size = api.recv(fd, receiveBuffer, SocketConstants.MSG_PEEK | SocketConstants.MSG_TRUNC);
        if (size > receiveBuffer.capacity()) {
            receiveBuffer = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        }
        receiveBuffer.clear();
        RecvResult r = api.recvfrom(fd, receiveBuffer, 0);
        ByteBuffer datagram = ByteBuffer.wrap(receiveBuffer.array(), 0, r.bytes()).slice().order(ByteOrder.LITTLE_ENDIAN);
        // Copied: the buffer is reused by the next receive, and messages are views of it.
        ByteBuffer copy = ByteBuffer.allocate(datagram.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(datagram).flip();
        return NlMsg.parse(copy);
    }

    /** {@code NETLINK_ADD_MEMBERSHIP}: notifications of {@code group} ({@code RTNLGRP_*}) come to this socket. */
    public void join(int group) throws ErrnoException {
        api.setsockopt(fd, Netlink.SOL_NETLINK, Netlink.NETLINK_ADD_MEMBERSHIP, group);
    }

    /** Sets the descriptor non-blocking, for a caller that polls for notifications. */
    public void setNonBlocking(boolean nonBlocking) throws ErrnoException {
        api.setNonBlocking(fd, nonBlocking);
    }

    /** An {@code NLMSG_ERROR} with a nonzero error as the exception it stands for. */
    public static void throwIfError(NlMsg m) throws ErrnoException {
        int error = m.error();
        if (error == 0) {
            return;
        }
        Errno errno = Errno.ofResult(error);
        String reason = m.errorMessage();
        if (errno == null) {
            throw new ErrnoException(Errno.EPROTO, "netlink error " + error + (reason == null ? "" : ": " + reason));
        }
        throw new ErrnoException(errno, reason == null ? "netlink request refused" : reason);
    }

    @Override
    public void close() throws ErrnoException {
        api.close(fd);
    }
}
