/**
 * Socket diagnostics, Linux's {@code sock_diag} / {@code inet_diag}: each transport registers
 * an {@link net.tern.spi.diag.InetDiagHandler} service ({@code tcp_diag}, {@code udp_diag})
 * with the property {@code protocol}, and tools ({@code net:ss}, a status page) ask it for
 * {@link net.tern.spi.diag.InetDiagMsg} records, one per socket, request or TIME-WAIT entry.
 */
@Export
@Version("1.1.0")
package net.tern.spi.diag;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
