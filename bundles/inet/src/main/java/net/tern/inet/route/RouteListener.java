package net.tern.inet.route;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Hears the routing tables change ({@code rtmsg_fib}'s callers: {@code fib_table_insert},
 * {@code fib_table_delete}, and the routes derived from addresses coming and going), for
 * {@code RTNLGRP_IPV4_ROUTE} notifications.
 *
 * @since 1.1
 */
@ConsumerType
public interface RouteListener {
    /**
     * The tables changed: {@code removed} routes are gone, {@code added} ones are in. Called
     * with the tables' lock held: do not call back into the table; hand the news on.
     */
    void routesChanged(List<Route> removed, List<Route> added);
}
