package net.tern.inet.sock;

/** The socket's connection state as the family tracks it ({@code socket_state}, {@code SS_*}). */
public enum SocketState {
    UNCONNECTED, CONNECTING, CONNECTED, DISCONNECTING
}
