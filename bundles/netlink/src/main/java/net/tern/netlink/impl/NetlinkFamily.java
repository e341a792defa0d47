package net.tern.netlink.impl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.ProtocolInfo;
import net.tern.api.socket.SocketConstants;
import net.tern.netlink.Netlink;
import net.tern.netlink.NlMsg;
import net.tern.netlink.NlWriter;
import net.tern.spi.proto.ProtoSocket;
import net.tern.spi.proto.ProtocolFamily;
import net.tern.api.socket.Errno;

/**
 * The {@code AF_NETLINK} family ({@code netlink_family_ops}): {@link #create} is
 * {@code netlink_create}, which attaches a socket of one of the protocols the stack serves
 * ({@link #addKernel}: {@code netlink_kernel_create}); {@link #netlinkRcvSkb} is the walk
 * over a datagram sent to the stack, with Linux's acknowledgements.
 */
public final class NetlinkFamily implements ProtocolFamily {
    private final Map<Integer, NetlinkKernel> kernels = new ConcurrentSkipListMap<>();
    private final Map<Integer, NetlinkTable> tables = new ConcurrentSkipListMap<>();
    private final NetlinkOps ops = new NetlinkOps(this);

    @Override
    public int family() {
        return Netlink.AF_NETLINK;
    }

    @Override
    public String name() {
        return "netlink";
    }

    /** {@code netlink_kernel_create}: the stack answers {@code kernel.protocol()}'s requests. */
    void addKernel(NetlinkKernel kernel) {
        tables.computeIfAbsent(kernel.protocol(), p -> new NetlinkTable());
        kernels.put(kernel.protocol(), kernel);
    }

    NetlinkTable table(int protocol) {
        return tables.computeIfAbsent(protocol, p -> new NetlinkTable());
    }

    NetlinkKernel kernel(int protocol) {
        return kernels.get(protocol);
    }

    /**
     * {@code netlink_create}: a raw or datagram socket (the two are the same to netlink) of a
     * protocol the stack serves; ESOCKTNOSUPPORT for another type, EPROTONOSUPPORT for a
     * protocol without a kernel side (Linux answers so when no module provides it).
     */
    @Override
    public void create(ProtoSocket sock, int protocol) throws ErrnoException {
        int type = sock.type();
        if (type != SocketConstants.SOCK_RAW && type != SocketConstants.SOCK_DGRAM) {
            throw new ErrnoException(Errno.ESOCKTNOSUPPORT, "netlink_create: socket type " + type
                    + " (netlink sockets are SOCK_RAW or SOCK_DGRAM)");
        }
        if (protocol < 0 || protocol >= 32) {
            throw new ErrnoException(Errno.EPROTONOSUPPORT, "netlink_create: protocol " + protocol + " out of 0..31");
        }
        if (!kernels.containsKey(protocol)) {
            throw new ErrnoException(Errno.EPROTONOSUPPORT, "netlink_create: the stack serves no netlink protocol "
                    + protocol);
        }
        NetlinkSock sk = new NetlinkSock(sock, protocol);
        table(protocol).add(sk);
        sock.attach(ops, sk, protocol);
    }

    @Override
    public List<ProtocolInfo> protocols() {
        List<ProtocolInfo> result = new ArrayList<>();
        boolean first = true;
        for (NetlinkKernel k : kernels.values()) {
            result.add(new ProtocolInfo(SocketConstants.SOCK_RAW, k.protocol(), k.name(), first));
            first = false;
        }
        return List.copyOf(result);
    }

    /** {@code netlink_broadcast} of one message to {@code group} of {@code protocol}. */
    void broadcast(int protocol, int group, byte[] message) {
        table(protocol).broadcast(group, message);
    }

    boolean hasListeners(int protocol, int group) {
        return table(protocol).hasListeners(group);
    }

    /**
     * {@code netlink_rcv_skb}: each message of {@code datagram} in turn. A message whose
     * length is out of bounds ends the walk silently, as Linux drops the rest of the skb. A
     * message that is not a request, or a control message, is only acknowledged when it asks
     * ({@code NLM_F_ACK}); a request goes to the protocol, and is acknowledged when it asks
     * or failed: {@code NLMSG_ERROR} with {@code -errno} (0 for success) and the request's
     * header (its whole body too on failure, unless {@code NETLINK_CAP_ACK}), plus the reason
     * as {@code NLMSGERR_ATTR_MSG} when the socket set {@code NETLINK_EXT_ACK}. A dump
     * answers with its messages and {@code NLMSG_DONE}, no acknowledgement.
     */
    void netlinkRcvSkb(NetlinkSock from, ByteBuffer datagram) {
        NetlinkKernel kernel = kernels.get(from.protocol);
        ByteBuffer b = datagram.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        while (true) {
            int start = b.position();
            NlMsg msg = NlMsg.next(b);
            if (msg == null) {
                return;
            }
            ErrnoException error = null;
            boolean dumped = false;
            if ((msg.flags() & Netlink.NLM_F_REQUEST) != 0 && msg.type() >= Netlink.NLMSG_MIN_TYPE) {
                NetlinkReply reply = new NetlinkReply(from, msg);
                try {
                    if (kernel == null) {
                        throw new ErrnoException(Errno.ECONNREFUSED, "no netlink protocol " + from.protocol);
                    }
                    kernel.rcvMsg(msg, reply);
                    dumped = reply.isDump();
                    reply.flush();
                } catch (ErrnoException e) {
                    error = e;
                } catch (RuntimeException e) {
                    error = new ErrnoException(Errno.EINVAL, "request failed: " + e);
                }
            }
            if (!dumped && ((msg.flags() & Netlink.NLM_F_ACK) != 0 || error != null)) {
                netlinkAck(from, msg, b, start, error);
            }
        }
    }

    /** {@code netlink_ack}. */
    private static void netlinkAck(NetlinkSock to, NlMsg request, ByteBuffer datagram, int requestStart,
            ErrnoException error) {
        boolean whole = error != null && !to.capAck();
        String reason = error != null && to.extAck() ? error.detail() : null;
        int flags = (whole ? 0 : Netlink.NLM_F_CAPPED) | (reason != null ? Netlink.NLM_F_ACK_TLVS : 0);
        NlWriter w = new NlWriter().begin(Netlink.NLMSG_ERROR, flags, request.seq(), to.portid());
        w.u32(error == null ? 0 : error.errno().negative());
        int copy = whole ? Netlink.NLMSG_HDRLEN + request.body().remaining() : Netlink.NLMSG_HDRLEN;
        byte[] original = new byte[copy];
        datagram.duplicate().position(requestStart).get(original);
        w.bytes(original);
        if (reason != null) {
            w.zeros(Netlink.align(copy) - copy);
            w.attrString(Netlink.NLMSGERR_ATTR_MSG, reason);
        }
        w.end();
        to.deliver(new NetlinkSock.Datagram(w.toByteArray(), 0, 0), false);
    }
}
