package net.tern.api.socket;

/** What {@code accept} returns: the new connection's descriptor and its peer's address. */
public record Accepted(int fd, SockAddr peer) {
}
