package net.tern.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;

/**
 * One netlink message ({@code struct nlmsghdr} and its payload), read from a datagram.
 *
 * @param type  {@code nlmsg_type}: a control type ({@link Netlink#NLMSG_ERROR}, ...) or the
 *              protocol's ({@code RTM_NEWLINK}, {@code SOCK_DIAG_BY_FAMILY})
 * @param flags {@code nlmsg_flags}
 * @param seq   {@code nlmsg_seq}
 * @param pid   {@code nlmsg_pid}: the sender's port id, 0 for the stack
 * @param body  the payload after the header: position 0, limit the payload's length,
 *              little-endian; a view of the datagram, not a copy
 */
public record NlMsg(int type, int flags, int seq, int pid, ByteBuffer body) {

    /**
     * The messages of one datagram, in order ({@code nlmsg_ok}, {@code nlmsg_next}). A
     * header whose length is below the header's size or beyond the datagram's end ends the
     * walk, as Linux's loops end: EINVAL names it.
     */
    public static List<NlMsg> parse(ByteBuffer datagram) throws ErrnoException {
        ByteBuffer b = datagram.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        List<NlMsg> messages = new ArrayList<>();
        while (b.remaining() >= Netlink.NLMSG_HDRLEN) {
            NlMsg m = next(b);
            if (m == null) {
                throw new ErrnoException(Errno.EINVAL, "netlink message at byte " + b.position()
                        + " has a length outside " + Netlink.NLMSG_HDRLEN + ".." + b.remaining());
            }
            messages.add(m);
        }
        return messages;
    }

    /**
     * The message at {@code b}'s position, advancing past it (and its padding); null, without
     * moving, when fewer bytes remain than a header or than the length it gives.
     */
    public static NlMsg next(ByteBuffer b) {
        int start = b.position();
        if (b.remaining() < Netlink.NLMSG_HDRLEN) {
            return null;
        }
        int length = b.getInt(start);
        if (length < Netlink.NLMSG_HDRLEN || length > b.remaining()) {
            return null;
        }
        int type = b.getShort(start + 4) & 0xffff;
        int flags = b.getShort(start + 6) & 0xffff;
        int seq = b.getInt(start + 8);
        int pid = b.getInt(start + 12);
        ByteBuffer body = b.duplicate().position(start + Netlink.NLMSG_HDRLEN).limit(start + length).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        b.position(Math.min(b.limit(), start + Netlink.align(length)));
        return new NlMsg(type, flags, seq, pid, body);
    }

    /** Whether this is {@link Netlink#NLMSG_DONE}, the end of a dump. */
    public boolean isDone() {
        return type == Netlink.NLMSG_DONE;
    }

    /** Whether this is {@link Netlink#NLMSG_ERROR}: an error, or an acknowledgement when {@link #error()} is 0. */
    public boolean isError() {
        return type == Netlink.NLMSG_ERROR;
    }

    /** For {@link Netlink#NLMSG_ERROR} (and {@code NLMSG_DONE}): the {@code int error}, a negative errno or 0. */
    public int error() {
        return body.remaining() >= 4 ? body.getInt(0) : 0;
    }

    /**
     * For {@link Netlink#NLMSG_ERROR} with {@link Netlink#NLM_F_ACK_TLVS}: the reason the stack gave
     * ({@code NLMSGERR_ATTR_MSG}), or null.
     */
    public String errorMessage() {
        if (type != Netlink.NLMSG_ERROR || (flags & Netlink.NLM_F_ACK_TLVS) == 0 || body.remaining() < 4 + Netlink.NLMSG_HDRLEN) {
            return null;
        }
        int requestLength = body.getInt(4);
        int tlvs = 4 + ((flags & Netlink.NLM_F_CAPPED) != 0 ? Netlink.NLMSG_HDRLEN : Netlink.align(requestLength));
        if (tlvs > body.remaining()) {
            return null;
        }
        try {
            NlAttrs attrs = NlAttrs.parse(body.duplicate().position(tlvs).slice().order(ByteOrder.LITTLE_ENDIAN));
            return attrs.has(Netlink.NLMSGERR_ATTR_MSG) ? attrs.string(Netlink.NLMSGERR_ATTR_MSG) : null;
        } catch (ErrnoException malformed) {
            return null;
        }
    }

    /** The payload after a fixed header of {@code headerSize} bytes: where the attributes start. */
    public ByteBuffer after(int headerSize) {
        int from = Math.min(Netlink.align(headerSize), body.limit());
        return body.duplicate().position(from).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The attributes after a fixed header of {@code headerSize} bytes; EINVAL when they are malformed. */
    public NlAttrs attrs(int headerSize) throws ErrnoException {
        return NlAttrs.parse(after(headerSize));
    }
}
