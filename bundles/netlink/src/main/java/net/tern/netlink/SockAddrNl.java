package net.tern.netlink;

import net.tern.api.socket.SockAddr;

/**
 * A netlink address ({@code struct sockaddr_nl}): a port id ({@code nl_pid}; 0 is the
 * kernel, which is the stack here) and a bit mask of multicast groups ({@code nl_groups},
 * groups 1..32; higher groups are joined with {@link Netlink#NETLINK_ADD_MEMBERSHIP}).
 *
 * @param pid    the port id; 0 in {@code bind} lets the stack pick one
 * @param groups the multicast groups, group n as bit n-1
 */
public record SockAddrNl(int pid, int groups) implements SockAddr {
    /** The stack's own address, where requests go and from which replies come. */
    public static final SockAddrNl KERNEL = new SockAddrNl(0, 0);

    @Override
    public int family() {
        return Netlink.AF_NETLINK;
    }

    /** The mask bit of multicast group {@code group} (1..32), as {@code nl_groups} holds it. */
    public static int groupBit(int group) {
        if (group < 1 || group > 32) {
            throw new IllegalArgumentException("group " + group + " is not in nl_groups' range 1..32");
        }
        return 1 << (group - 1);
    }
}
