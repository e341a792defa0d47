/**
 * IPv6 addresses and routes as configuration sees them ({@code net/ipv6/addrconf.c}'s and
 * {@code route.c}'s netlink side): {@link net.tern.inet6.addrconf.Inet6Config}, a service of the
 * inet6 bundle while it runs, lists, adds and removes the addresses on links
 * ({@link net.tern.inet6.addrconf.Inet6IfAddr}) and the routes ({@link net.tern.inet6.addrconf.Route6}),
 * and tells listeners of every change, whoever made it. The netlink family serves
 * {@code RTM_*ADDR} and {@code RTM_*ROUTE} of AF_INET6 with it, which {@code net:ip -6} uses.
 */
@Export
@Version("1.0.0")
package net.tern.inet6.addrconf;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
