package net.tern.inet6.addrconf;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Hears IPv6 addresses and routes come and go ({@code inet6addr_notifier_chain} and
 * {@code inet6_rt_notify}), whatever made the change: a request, the configuration, a link
 * coming up or leaving. Called with IPv6's configuration lock held: do not call back into
 * {@link Inet6Config}'s changes from here.
 */
@ConsumerType
public interface Inet6ConfigListener {
    /** {@code address} was added ({@code added}) or removed. */
    default void addressChanged(Inet6IfAddr address, boolean added) {
    }

    /** {@code route} was added ({@code added}) or removed. */
    default void routeChanged(Route6 route, boolean added) {
    }
}
