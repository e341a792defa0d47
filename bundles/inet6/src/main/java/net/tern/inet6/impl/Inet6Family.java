package net.tern.inet6.impl;

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

/**
 * The AF_INET6 family ({@code inet6_family_ops}, registered by {@code sock_register} in
 * {@code inet6_init}): {@link #create} is {@code inet6_create}, which finds the protosw entry
 * ({@code inetsw6[]}, filled by {@code inet6_register_protosw} from {@link ProtoSw} services
 * with {@code family=10}) for the socket's type and protocol. The entry that comes first in a
 * type (highest ranking, then oldest) is the type's default for protocol 0. With no entry of
 * a type that AF_INET6 serves (stream, datagram, raw), the protocol's bundle is not running:
 * EPROTONOSUPPORT; any other type: ESOCKTNOSUPPORT.
 */
public final class Inet6Family implements ProtocolFamily {
    private final SlotTable<ProtoSw> protosw = new SlotTable<>(SocketConstants.SOCK_TYPE_MASK + 1);

    @Override
    public int family() {
        return SocketConstants.AF_INET6;
    }

    @Override
    public String name() {
        return "inet6";
    }

    /** {@code inet6_register_protosw}; false for a type no socket can have. */
    public boolean addProtoSw(ProtoSw sw, int ranking, long order) {
        if (!protosw.isKey(sw.type())) {
            return false;
        }
        protosw.add(sw.type(), sw, new ServiceRank(ranking, order));
        return true;
    }

    /** {@code inet6_unregister_protosw}. */
    public void removeProtoSw(ProtoSw sw, long order) {
        protosw.remove(sw, order);
    }

    /** Ping sockets only for a socket that asks for ICMPv6 by number, as in {@code inetsw6_array}. */
    private static boolean isPing(ProtoSw sw) {
        return sw.type() == SocketConstants.SOCK_DGRAM && sw.protocol() == SocketConstants.IPPROTO_ICMPV6;
    }

    @Override
    public void create(ProtoSocket sock, int protocol) throws ErrnoException {
        int type = sock.type();
        String call = "inet6_create(type " + type + ", protocol " + protocol + ")";
        if (protocol < 0 || protocol > 255) {
            throw new ErrnoException(Errno.EINVAL, call + ": protocol out of range 0..255");
        }
        ProtoSw chosen = null;
        boolean typeKnown = false;
        boolean protocolElsewhere = false;
        for (Candidate<ProtoSw> e : protosw.candidates()) {
            ProtoSw sw = e.service();
            if (e.key() != type) {
                protocolElsewhere |= sw.protocol() == protocol;
                continue;
            }
            if (protocol == 0 && isPing(sw)) {
                continue;
            }
            typeKnown = true;
            if (chosen == null && (protocol == 0 || protocol == sw.protocol())) {
                chosen = sw;
            }
        }
        if (chosen == null) {
            boolean inetType = type == SocketConstants.SOCK_STREAM || type == SocketConstants.SOCK_DGRAM
                    || type == SocketConstants.SOCK_RAW;
            if (!typeKnown && !inetType) {
                throw new ErrnoException(Errno.ESOCKTNOSUPPORT, call + ": AF_INET6 has no socket type " + type);
            }
            if (protocolElsewhere && protocol != 0) {
                throw new ErrnoException(Errno.EPROTOTYPE, call + ": protocol " + protocol + " is not of socket type "
                        + type);
            }
            throw new ErrnoException(Errno.EPROTONOSUPPORT, call + ": AF_INET6 has no protocol "
                    + (protocol == 0 ? "" : protocol + " ") + "for socket type " + type
                    + (typeKnown ? "" : " (its bundle is not running)"));
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
            ProtoSw sw = e.service();
            boolean typeDefault = e.key() != lastType && !isPing(sw);
            if (!isPing(sw)) {
                lastType = e.key();
            }
            String name = sw.proto() == null ? "proto-" + sw.protocol() : sw.proto().name();
            result.add(new ProtocolInfo(e.key(), sw.protocol(), name, typeDefault));
        }
        return List.copyOf(result);
    }
}
