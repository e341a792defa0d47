/**
 * Socket diagnostics, Linux's {@code sock_diag} / {@code inet_diag}: each transport registers
 * an {@link net.tern.spi.diag.InetDiagHandler} service ({@code tcp_diag}, {@code udp_diag})
 * with the property {@code protocol}, and tools ({@code net:ss}, a status page) ask it for
 * {@link net.tern.spi.diag.InetDiagMsg} records, one per socket, request or TIME-WAIT entry,
 * with its pending timer, cookie, shutdown state and memory ({@link net.tern.spi.diag.SkMemInfo}).
 * Records are of AF_INET and AF_INET6 sockets alike (1.3: the family's addresses and
 * {@code IPV6_V6ONLY}); a dump of one family keeps that family's records.
 */
@Export
@Version("1.3.0")
package net.tern.spi.diag;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
