package net.tern.inet.impl;

import java.util.ArrayList;
import java.util.List;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.ProtocolInfo;
import net.tern.api.socket.SocketConstants;
import net.tern.spi.proto.ProtoSocket;
import net.tern.spi.proto.ProtoSw;
import net.tern.spi.proto.ProtocolFamily;
import net.tern.spi.whiteboard.ServiceRank;
import net.tern.spi.whiteboard.SlotTable;
import net.tern.spi.whiteboard.SlotTable.Candidate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AF_INET family ({@code inet_family_ops}, registered by {@code sock_register}): its
 * {@link #create} is {@code inet_create}, which finds the protosw entry for the socket's
 * type and protocol and lets it attach its operations and state.
 *
 * <p>The entries are {@code inetsw[]}, filled by {@code inet_register_protosw}: a
 * {@link SlotTable} by socket type. Within a type, the entry that comes first (highest service
 * ranking, then the oldest registration) holds the type's slot and is its default, picked
 * when {@code socket()} passes protocol 0; the others stay reachable by their exact protocol
 * number. Changes are rare and copy the table; lookups read the current snapshot without
 * locking.
 */
public final class InetFamily implements ProtocolFamily {
    private static final Logger LOG = LoggerFactory.getLogger(InetFamily.class);

    /** {@code inetsw[]}: one slot per socket type, the 4 bits {@code SOCK_TYPE_MASK} leaves of a type. */
    private final SlotTable<ProtoSw> protosw = new SlotTable<>(SocketConstants.SOCK_TYPE_MASK + 1);

    @Override
    public int family() {
        return SocketConstants.AF_INET;
    }

    @Override
    public String name() {
        return "inet";
    }

    /**
     * {@code inet_register_protosw}, from a {@link ProtoSw} service with {@code family=2}.
     * The same entry added again with the same {@code order} has its ranking replaced. An
     * entry whose type no socket can have is ignored, as Linux ignores a type beyond
     * {@code SOCK_MAX}; returns whether the entry was taken.
     */
    public boolean addProtoSw(ProtoSw sw, int ranking, long order) {
        int type = sw.type();
        if (!protosw.isKey(type)) {
            LOG.error("inet_register_protosw: ignoring {} of invalid socket type {} (not 0..{})", sw, type,
                    SocketConstants.SOCK_TYPE_MASK);
            return false;
        }
        protosw.add(type, sw, new ServiceRank(ranking, order));
        return true;
    }

    /** The socket types AF_INET has protocols for when they are loaded ({@code inetsw_array}). */
    private static boolean isInetType(int type) {
        return type == SocketConstants.SOCK_STREAM || type == SocketConstants.SOCK_DGRAM
                || type == SocketConstants.SOCK_RAW;
    }

    /**
     * Whether {@code sw} is the ping sockets' entry, which only a socket asking for
     * {@code IPPROTO_ICMP} gets: in Linux's {@code inetsw_array} it comes after UDP, which is
     * always there, so a datagram socket of protocol 0 is UDP's, or fails while UDP's bundle is
     * not running (EPROTONOSUPPORT), rather than becoming a ping socket.
     */
    private static boolean isPing(ProtoSw sw) {
        return sw.type() == SocketConstants.SOCK_DGRAM && sw.protocol() == SocketConstants.IPPROTO_ICMP;
    }

    /** {@code inet_unregister_protosw}: the registration of {@code sw} made with {@code order}. */
    public void removeProtoSw(ProtoSw sw, long order) {
        protosw.remove(sw, order);
    }

    /**
     * {@code inet_create}: for the socket's type, the entry whose protocol is
     * {@code protocol}, or with protocol 0 the type's default (the first entry of the type).
     * A type AF_INET serves (stream, datagram, raw) whose protocols are all gone: their
     * bundles are not running, so EPROTONOSUPPORT, as Linux answers when the module is not
     * loaded (DESIGN.md, hot swap). Any other type: ESOCKTNOSUPPORT. A protocol the family
     * offers only for another type: EPROTOTYPE. Otherwise an unknown protocol:
     * EPROTONOSUPPORT. A protocol number outside 0..255: EINVAL.
     */
    @Override
    public void create(ProtoSocket sock, int protocol) throws ErrnoException {
        int type = sock.type();
        String call = "inet_create(type " + type + ", protocol " + protocol + ")";
        if (protocol < 0 || protocol > 255) {
            throw new ErrnoException(Errno.EINVAL, call + ": protocol out of range 0..255");
        }
        // One snapshot, by type then precedence: the first entry of a type is its default.
        List<Candidate<ProtoSw>> entries = protosw.candidates();
        ProtoSw chosen = null;
        boolean typeKnown = false;
        for (Candidate<ProtoSw> e : entries) {
            if (e.key() == type && !(protocol == SocketConstants.IPPROTO_IP && isPing(e.service()))) {
                typeKnown = true;
                if (protocol == e.service().protocol() || protocol == SocketConstants.IPPROTO_IP) {
                    chosen = e.service();
                    break;
                }
            }
        }
        if (chosen == null) {
            if (!typeKnown) {
                if (isInetType(type)) {
                    throw new ErrnoException(Errno.EPROTONOSUPPORT, call + ": no protocol of socket type " + type
                            + " is registered (its bundle is not running)");
                }
                throw new ErrnoException(Errno.ESOCKTNOSUPPORT, call + ": AF_INET has no socket type " + type);
            }
            boolean protocolKnownElsewhere = false;
            for (Candidate<ProtoSw> e : entries) {
                if (e.key() != type && e.service().protocol() == protocol) {
                    protocolKnownElsewhere = true;
                }
            }
            if (protocolKnownElsewhere) {
                throw new ErrnoException(Errno.EPROTOTYPE, call + ": protocol " + protocol
                        + " is not of socket type " + type);
            }
            throw new ErrnoException(Errno.EPROTONOSUPPORT, call + ": AF_INET has no protocol " + protocol
                    + " for socket type " + type);
        }
        try {
            chosen.init(sock);
        } catch (ErrnoException e) {
            throw e.in(call);
        }
        if (sock.ops() == null) {
            throw new ErrnoException(Errno.EPROTONOSUPPORT, call + ": protocol " + chosen.protocol()
                    + " did not attach to the socket");
        }
    }

    @Override
    public List<ProtocolInfo> protocols() {
        List<ProtocolInfo> result = new ArrayList<>();
        int lastType = Integer.MIN_VALUE;
        for (Candidate<ProtoSw> e : protosw.candidates()) {
            boolean typeDefault = e.key() != lastType && !isPing(e.service());
            if (!isPing(e.service())) {
                lastType = e.key();
            }
            ProtoSw sw = e.service();
            String name = sw.proto() == null ? "proto-" + sw.protocol() : sw.proto().name();
            result.add(new ProtocolInfo(e.key(), sw.protocol(), name, typeDefault));
        }
        return List.copyOf(result);
    }
}
