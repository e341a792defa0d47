package net.tern.shell;

import net.tern.api.socket.SocketConstants;

/** The names Linux's tools print for socket types. */
final class SocketNames {
    private SocketNames() {
    }

    static String typeName(int type) {
        switch (type) {
            case SocketConstants.SOCK_STREAM:
                return "SOCK_STREAM";
            case SocketConstants.SOCK_DGRAM:
                return "SOCK_DGRAM";
            case SocketConstants.SOCK_RAW:
                return "SOCK_RAW";
            case SocketConstants.SOCK_SEQPACKET:
                return "SOCK_SEQPACKET";
            default:
                return "type " + type;
        }
    }
}
