package net.tern.inet.route;

/**
 * What an output route is looked up for ({@code struct flowi4}): the destination, and
 * optionally the source address the sender is bound to, the output link it is bound to, the
 * protocol and the TOS.
 *
 * @param destination  where the packet goes
 * @param source       the bound source address, or 0 to let the route choose
 * @param outputLink   the index of the link the socket is bound to, or 0 for any
 * @param protocol     {@code IPPROTO_*}, for the record
 * @param tos          type of service
 */
public record Flowi4(int destination, int source, int outputLink, int protocol, int tos) {
    /** A flow to {@code destination} with nothing else fixed. */
    public static Flowi4 to(int destination) {
        return new Flowi4(destination, 0, 0, 0, 0);
    }

    /** A flow from the bound {@code source} to {@code destination} for {@code protocol}. */
    public static Flowi4 of(int source, int destination, int protocol) {
        return new Flowi4(destination, source, 0, protocol, 0);
    }
}
