package net.tern.tcp.cc;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A congestion control algorithm ({@code struct tcp_congestion_ops}). Registered as a service
 * with the property {@value #NAME} equal to {@link #name()}; that is
 * {@code tcp_register_congestion_control}. TCP picks one per socket (the
 * {@code TCP_CONGESTION} option, or the stack's default) and asks it for a controller when
 * the connection starts.
 */
@ConsumerType
public interface CongestionControl {
    /** The service property holding the algorithm's name. */
    String NAME = "name";

    /** The algorithm's name, as {@code TCP_CONGESTION} and {@code ss -i} show it: {@code "reno"}, {@code "cubic"}. */
    String name();

    /**
     * {@code init}: a controller for one connection, reading and setting its window through
     * {@code connection}. Called when the connection is established (or when it switches to
     * this algorithm, with the window it has then).
     */
    CongestionController create(CongestionState connection);
}
