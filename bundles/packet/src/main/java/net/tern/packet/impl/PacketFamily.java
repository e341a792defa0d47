package net.tern.packet.impl;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.ProtocolInfo;
import net.tern.api.socket.SocketConstants;
import net.tern.packet.IfPacket;
import net.tern.spi.net.Clock;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkEvent;
import net.tern.spi.net.LinkListener;
import net.tern.spi.net.LinkRegistry;
import net.tern.spi.net.PacketAllocator;
import net.tern.spi.proto.ProtoSocket;
import net.tern.spi.proto.ProtocolFamily;

/**
 * The {@code AF_PACKET} family ({@code packet_family_ops}): {@link #create} is
 * {@code packet_create}. A socket with a protocol is hooked at once ({@code register_prot_hook}):
 * as a tap on the link it is bound to, or on every link (and on each link that registers
 * later, as Linux's {@code ptype_all} sees every device) while it is bound to none. As the
 * links' notifier ({@code packet_notifier}) it tells a socket bound to a link that goes down
 * or away: ENETDOWN.
 */
public final class PacketFamily implements ProtocolFamily, LinkListener {
    private final LinkRegistry links;
    private final Clock clock;
    private final PacketAllocator allocator;
    private final PacketOps ops = new PacketOps(this);
    /** The sockets hooked to a link or to every link. */
    private final Set<PacketSock> hooked = ConcurrentHashMap.newKeySet();
    /** The socket sending on this thread, whose own packets its tap does not show it. */
    private final ThreadLocal<PacketSock> sending = new ThreadLocal<>();

    public PacketFamily(LinkRegistry links, Clock clock, PacketAllocator allocator) {
        this.links = links;
        this.clock = clock;
        this.allocator = allocator;
    }

    @Override
    public int family() {
        return IfPacket.AF_PACKET;
    }

    @Override
    public String name() {
        return "packet";
    }

    /**
     * {@code packet_create}: a {@code SOCK_RAW} or {@code SOCK_DGRAM} socket (Tern's links have
     * no link-layer header, so the two give the same bytes); ESOCKTNOSUPPORT for another type.
     * {@code protocol} is in network order, as C passes {@code htons(ETH_P_ALL)}; its low 16 bits
     * count, as Linux's {@code __be16}. A nonzero protocol hooks the socket to every link.
     */
    @Override
    public void create(ProtoSocket sock, int protocol) throws ErrnoException {
        int type = sock.type();
        if (type != SocketConstants.SOCK_RAW && type != SocketConstants.SOCK_DGRAM) {
            throw new ErrnoException(Errno.ESOCKTNOSUPPORT, "packet_create: socket type " + type
                    + " (packet sockets are SOCK_RAW or SOCK_DGRAM)");
        }
        int ethertype = IfPacket.ntohs(protocol & 0xFFFF);
        PacketSock sk = new PacketSock(sock, this, ethertype, clock.nanoTime(), clock.currentTimeMillis() * 1_000_000L);
        sock.attach(ops, sk, protocol & 0xFFFF);
        hook(sk);
    }

    @Override
    public List<ProtocolInfo> protocols() {
        return List.of(new ProtocolInfo(SocketConstants.SOCK_RAW, 0, "packet", true),
                new ProtocolInfo(SocketConstants.SOCK_DGRAM, 0, "packet", true));
    }

    /** {@code register_prot_hook} after {@code unregister_prot_hook}: taps on the socket's link, or every link; none without a protocol. */
    void hook(PacketSock sk) {
        unhook(sk);
        if (sk.protocol() == 0) {
            return;
        }
        hooked.add(sk);
        if (sk.ifindex() != 0) {
            links.byIndex(sk.ifindex()).ifPresent(l -> l.addTap(sk));
            return;
        }
        for (Link l : links.links()) {
            l.addTap(sk);
        }
    }

    /** {@code unregister_prot_hook}. */
    void unhook(PacketSock sk) {
        hooked.remove(sk);
        for (Link l : links.links()) {
            l.removeTap(sk);
        }
    }

    /** {@code packet_notifier}: a new link gets the every-link sockets' taps; a bound socket hears ENETDOWN. */
    @Override
    public void linkChanged(Link link, LinkEvent event) {
        switch (event) {
            case REGISTER -> {
                for (PacketSock sk : hooked) {
                    if (sk.ifindex() == 0) {
                        link.addTap(sk);
                    }
                }
            }
            case DOWN, UNREGISTER -> {
                for (PacketSock sk : hooked) {
                    if (sk.ifindex() == link.index()) {
                        sk.socket.setError(Errno.ENETDOWN);
                    }
                    if (event == LinkEvent.UNREGISTER) {
                        link.removeTap(sk);
                    }
                }
            }
            default -> {
            }
        }
    }

    Link link(int ifindex) {
        return links.byIndex(ifindex).orElse(null);
    }

    PacketAllocator allocator() {
        return allocator;
    }

    PacketSock sending() {
        return sending.get();
    }

    /** Runs {@code send} as {@code sk}'s transmit: its tap does not show it its own packets. */
    boolean sendAs(PacketSock sk, Link link, net.tern.spi.net.Packet packet) {
        sending.set(sk);
        try {
            return link.transmit(packet);
        } finally {
            sending.remove();
        }
    }
}
