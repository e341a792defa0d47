package net.tern.shell;

import java.util.List;
import java.util.Optional;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketApi;
import net.tern.netlink.LinkMessage;
import net.tern.netlink.Netlink;
import net.tern.netlink.NetlinkSocket;

/**
 * The shell's {@code NETLINK_ROUTE} session (iproute2's {@code struct rtnl_handle} with its
 * link cache, {@code ll_map}): a socket opened with the socket API for one command, and the
 * link names it looked up. A stack without the netlink family answers EAFNOSUPPORT, which
 * becomes the command's error.
 */
final class Rtnl implements AutoCloseable {
    final NetlinkSocket nl;
    private List<LinkMessage> links;

    private Rtnl(NetlinkSocket nl) {
        this.nl = nl;
    }

    static Rtnl open(SocketApi sockets) {
        try {
            return new Rtnl(NetlinkSocket.open(sockets, Netlink.NETLINK_ROUTE));
        } catch (ErrnoException e) {
            throw new IllegalStateException("Cannot open netlink socket: " + e.errno().text(), e);
        }
    }

    /** Every link ({@code RTM_GETLINK} dump), once per session. */
    List<LinkMessage> links() throws ErrnoException {
        if (links == null) {
            links = LinkMessage.dump(nl);
        }
        return links;
    }

    /** {@code ll_name_to_index}. */
    Optional<LinkMessage> link(String name) throws ErrnoException {
        return links().stream().filter(l -> l.name().equals(name)).findFirst();
    }

    /** {@code ll_index_to_name}: the name, or {@code ifN} for an index no link has. */
    String name(int index) throws ErrnoException {
        return links().stream().filter(l -> l.index() == index).map(LinkMessage::name).findFirst()
                .orElse("if" + index);
    }

    /** The index of the link {@code ip} named, or {@code Cannot find device}. */
    int index(String name) throws ErrnoException {
        return link(name).orElseThrow(() -> Iproute2Errors.noDevice(name)).index();
    }

    @Override
    public void close() {
        try {
            nl.close();
        } catch (ErrnoException closed) {
            // Closing a socket this session opened cannot fail but by its being gone already.
        }
    }
}
