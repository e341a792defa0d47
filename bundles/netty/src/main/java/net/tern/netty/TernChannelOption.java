package net.tern.netty;

import io.netty.channel.ChannelOption;

/**
 * The options of Tern's channels that Netty's {@link ChannelOption} does not name, under the
 * names and types of Netty's epoll transport ({@code EpollChannelOption}), so code written for
 * it sets them the same way. Each is a {@code setsockopt} on the Tern socket and reads back with
 * {@code getsockopt}, with the socket layer's meaning (Linux's):
 * <ul>
 * <li>{@link #TCP_QUICKACK} (connections): {@code true} leaves interactive mode and sends an ACK
 * being delayed; {@code false} enters interactive mode, where ACKs wait to ride on replies. Not
 * sticky: the stack changes mode on its own; read back, {@code false} while in interactive
 * mode.
 * <li>{@link #TCP_KEEPIDLE}, {@link #TCP_KEEPINTVL} (seconds, 1..32767) and
 * {@link #TCP_KEEPCNT} (1..127) (connections): the keepalive probes' idle time, interval and
 * count, used while {@code SO_KEEPALIVE} is on.
 * <li>{@link #SO_REUSEPORT} (listeners, datagram channels): lets sockets that all set it bind
 * the same address and port.
 * </ul>
 * Tern has no {@code TCP_USER_TIMEOUT}, {@code TCP_FASTOPEN} or {@code TCP_DEFER_ACCEPT}, so
 * they are not offered; {@code TCP_CORK} and {@code TCP_NOTSENT_LOWAT}, which Tern's TCP has,
 * are not offered by this transport yet.
 */
public final class TernChannelOption<T> extends ChannelOption<T> {
    public static final ChannelOption<Boolean> TCP_QUICKACK = valueOf(TernChannelOption.class, "TCP_QUICKACK");
    public static final ChannelOption<Integer> TCP_KEEPIDLE = valueOf(TernChannelOption.class, "TCP_KEEPIDLE");
    public static final ChannelOption<Integer> TCP_KEEPINTVL = valueOf(TernChannelOption.class, "TCP_KEEPINTVL");
    public static final ChannelOption<Integer> TCP_KEEPCNT = valueOf(TernChannelOption.class, "TCP_KEEPCNT");
    public static final ChannelOption<Boolean> SO_REUSEPORT = valueOf(TernChannelOption.class, "SO_REUSEPORT");

    @SuppressWarnings({"unused", "deprecation"})
    private TernChannelOption() {
        super(null);
    }
}
