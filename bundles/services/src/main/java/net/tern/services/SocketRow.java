package net.tern.services;

/**
 * One socket as the status page lists it: the service that owns it, {@code tcp} or
 * {@code udp}, its state as the service sees it ({@code LISTEN}, {@code ESTAB},
 * {@code CLOSE-WAIT} once the peer has sent its FIN, {@code UNCONN} for datagram sockets,
 * in {@code ss}'s words), the local and peer addresses ({@code *:*} without a peer) and the
 * bytes received and sent through it.
 */
record SocketRow(String service, String protocol, String state, String local, String peer, long bytesIn,
        long bytesOut) {
}
