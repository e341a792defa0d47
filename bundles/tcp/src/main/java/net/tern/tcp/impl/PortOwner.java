package net.tern.tcp.impl;

/**
 * An entry on a port's owner list in the bind hash ({@link TcpHashTables}): a socket or a
 * TIME-WAIT entry. It remembers its place on the list so that {@code inet_put_port} removes it
 * in constant time however many connections share the port (a listener's children), where
 * Linux unlinks an hlist node.
 */
interface PortOwner {
    /** Not on any owner list. */
    int NOT_LISTED = -1;

    /** The index on its port's owner list, or {@link #NOT_LISTED}. */
    int ownerSlot();

    void ownerSlot(int slot);
}
