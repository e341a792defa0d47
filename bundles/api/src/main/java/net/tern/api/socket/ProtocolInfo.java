package net.tern.api.socket;

/**
 * One protocol a family offers (a protosw entry): the socket type and protocol number it
 * answers to, its name ({@code "TCP"}, {@code "UDP"}), and whether it is the type's default
 * (used when {@code socket()} is called with protocol 0).
 */
public record ProtocolInfo(int type, int protocol, String name, boolean typeDefault) {
}
