package net.tern.inet.ip;

/**
 * How a transport wants one packet sent ({@code struct ipcm_cookie} and the socket's
 * {@code inet_sock} fields): the protocol in the header, the TTL (-1: the default), the TOS,
 * and whether to set DF. With DF, a packet larger than the path MTU fails with EMSGSIZE
 * instead of being fragmented.
 */
public record TxParams(int protocol, int ttl, int tos, boolean dontFragment) {
    public TxParams {
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("protocol out of range 0..255: " + protocol);
        }
        if (ttl < -1 || ttl > 255) {
            throw new IllegalArgumentException("ttl out of range -1..255: " + ttl);
        }
        if (tos < 0 || tos > 255) {
            throw new IllegalArgumentException("tos out of range 0..255: " + tos);
        }
    }

    /** {@code protocol} with the default TTL, TOS 0, and fragmentation allowed. */
    public static TxParams of(int protocol) {
        return new TxParams(protocol, -1, 0, false);
    }

    public TxParams withTtl(int value) {
        return new TxParams(protocol, value, tos, dontFragment);
    }

    public TxParams withTos(int value) {
        return new TxParams(protocol, ttl, value, dontFragment);
    }

    public TxParams withDontFragment(boolean df) {
        return new TxParams(protocol, ttl, tos, df);
    }
}
