/**
 * IPv4 routing ({@code net/ipv4/fib_*.c}, {@code route.c}): the
 * {@link net.tern.inet.route.RouteTable} service with its local and main tables, the routes
 * in them ({@link net.tern.inet.route.Route}), output route lookup for a flow
 * ({@link net.tern.inet.route.Flowi4} to {@link net.tern.inet.route.Rtable}), and the address
 * type check transports use when binding ({@code inet_addr_type}).
 */
@Export
@Version("1.2.0")
package net.tern.inet.route;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
