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

/**
 * The AF_INET family ({@code inet_family_ops}, registered by {@code sock_register}): its
 * {@link #create} is {@code inet_create}, which finds the protosw entry for the socket's
 * type and protocol and lets it attach its operations and state.
 */
public final class InetFamily implements ProtocolFamily {
    private final ProtoSwTable protosw = new ProtoSwTable();

    @Override
    public int family() {
        return SocketConstants.AF_INET;
    }

    @Override
    public String name() {
        return "inet";
    }

    /** {@code inet_register_protosw}, from a {@link ProtoSw} service with {@code family=2}. */
    public void addProtoSw(ProtoSw sw, int ranking, long order) {
        protosw.add(sw, ranking, order);
    }

    /** {@code inet_unregister_protosw}. */
    public void removeProtoSw(ProtoSw sw, long order) {
        protosw.remove(sw, order);
    }

    /**
     * {@code inet_create}: for the socket's type, the entry whose protocol is
     * {@code protocol}, or with protocol 0 the type's default (the first entry of the type).
     * A type with no entry: ESOCKTNOSUPPORT. A protocol the family offers only for another
     * type: EPROTOTYPE. Otherwise an unknown protocol: EPROTONOSUPPORT. A protocol number
     * outside 0..255: EINVAL.
     */
    @Override
    public void create(ProtoSocket sock, int protocol) throws ErrnoException {
        int type = sock.type();
        String call = "inet_create(type " + type + ", protocol " + protocol + ")";
        if (protocol < 0 || protocol > 255) {
            throw new ErrnoException(Errno.EINVAL, call + ": protocol out of range 0..255");
        }
        List<ProtoSwTable.Entry> entries = protosw.entries();
        ProtoSwTable.Entry chosen = null;
        boolean typeKnown = false;
        for (ProtoSwTable.Entry e : entries) {
            if (e.type() == type) {
                typeKnown = true;
                if (protocol == e.protocol() || protocol == SocketConstants.IPPROTO_IP) {
                    chosen = e;
                    break;
                }
            }
        }
        if (chosen == null) {
            if (!typeKnown) {
                throw new ErrnoException(Errno.ESOCKTNOSUPPORT, call + ": AF_INET has no protocol of socket type " + type);
            }
            boolean protocolKnownElsewhere = false;
            for (ProtoSwTable.Entry e : entries) {
                if (e.type() != type && e.protocol() == protocol) {
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
            chosen.sw().init(sock);
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
        for (ProtoSwTable.Entry e : protosw.entries()) {
            boolean typeDefault = e.type() != lastType;
            lastType = e.type();
            String name = e.sw().proto() == null ? "proto-" + e.protocol() : e.sw().proto().name();
            result.add(new ProtocolInfo(e.type(), e.protocol(), name, typeDefault));
        }
        return List.copyOf(result);
    }
}
