package net.tern.netlink.impl;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;

/**
 * The sockets of one netlink protocol ({@code nl_table[protocol]}): by port id, for unicast
 * between sockets, and in a list for {@code netlink_broadcast} to a group's members.
 */
final class NetlinkTable {
    private final Map<Integer, NetlinkSock> byPortid = new ConcurrentHashMap<>();
    private final List<NetlinkSock> sockets = new CopyOnWriteArrayList<>();
    /** {@code netlink_autobind}'s rover: Linux starts at -4097 and counts down, so ids never meet a process's pid. */
    private int rover = -4097;

    void add(NetlinkSock sock) {
        sockets.add(sock);
    }

    /** {@code netlink_insert}: binds {@code sock} to {@code portid}; EADDRINUSE when taken. */
    synchronized void insert(NetlinkSock sock, int portid) throws ErrnoException {
        if (byPortid.putIfAbsent(portid, sock) != null) {
            throw new ErrnoException(Errno.EADDRINUSE, "netlink port id " + portid + " is taken");
        }
        sock.portid(portid);
    }

    /** {@code netlink_autobind}: a free port id of the stack's choice. */
    synchronized void autobind(NetlinkSock sock) {
        while (byPortid.putIfAbsent(rover, sock) != null) {
            rover = rover == Integer.MIN_VALUE ? -4097 : rover - 1;
        }
        sock.portid(rover);
        rover = rover == Integer.MIN_VALUE ? -4097 : rover - 1;
    }

    NetlinkSock lookup(int portid) {
        return byPortid.get(portid);
    }

    void remove(NetlinkSock sock) {
        sockets.remove(sock);
        int portid = sock.portid();
        if (portid != 0) {
            byPortid.remove(portid, sock);
        }
    }

    /** {@code netlink_broadcast}: {@code message} to every member of {@code group}. */
    void broadcast(int group, byte[] message) {
        for (NetlinkSock sock : sockets) {
            if (sock.inGroup(group)) {
                sock.deliver(new NetlinkSock.Datagram(message, 0, group), true);
            }
        }
    }

    /** Whether any socket listens to {@code group} ({@code netlink_has_listeners}). */
    boolean hasListeners(int group) {
        for (NetlinkSock sock : sockets) {
            if (sock.inGroup(group)) {
                return true;
            }
        }
        return false;
    }

    /** The sockets open now. */
    List<NetlinkSock> sockets() {
        return List.copyOf(sockets);
    }
}
