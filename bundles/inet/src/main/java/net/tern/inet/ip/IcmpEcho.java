package net.tern.inet.ip;

import net.tern.api.socket.ErrnoException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Echo requests and their replies, for {@code ping} (Linux's ping sockets,
 * {@code net/ipv4/ping.c}): {@link #open} gives an endpoint with its own identifier; replies
 * carrying it, and ICMP errors quoting its requests, go to its listener.
 */
@ProviderType
public interface IcmpEcho {
    /** Opens an endpoint with a free identifier; EAGAIN when all 65536 are in use. */
    EchoSocket open(Listener listener) throws ErrnoException;

    /** Hears what comes back to one endpoint. Called on the network thread: keep it short. */
    interface Listener {
        void echoReply(EchoReply reply);

        /** An ICMP error (destination unreachable, time exceeded, ...) about one of the endpoint's requests. */
        default void echoError(EchoError error) {
        }
    }

    /** One echo reply: who sent it, its sequence number, its TTL and data, and when it came (on the stack's clock). */
    record EchoReply(int from, int identifier, int sequence, int ttl, byte[] data, long receivedNanos) {
    }

    /** An ICMP error quoting a request: who sent it, its type and code, and the request's sequence number. */
    record EchoError(int from, int type, int code, int sequence, int info) {
    }
}
