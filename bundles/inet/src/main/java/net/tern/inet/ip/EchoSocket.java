package net.tern.inet.ip;

import net.tern.api.socket.ErrnoException;
import org.osgi.annotation.versioning.ProviderType;

/** One endpoint of {@link IcmpEcho}: sends echo requests under its identifier until closed. */
@ProviderType
public interface EchoSocket extends AutoCloseable {
    /** The identifier its requests carry and its replies come back with. */
    int identifier();

    /**
     * Sends an echo request to {@code destination} with {@code sequence} and {@code data},
     * with {@code ttl} (-1: the default). Fails with the route's errno (ENETUNREACH, ...),
     * EMSGSIZE when the message cannot fit a datagram, EBADF once closed.
     */
    void send(int destination, int sequence, byte[] data, int ttl) throws ErrnoException;

    /** Releases the identifier; later replies to it are dropped. */
    @Override
    void close();
}
