/**
 * The stack's protocol counters, as Linux keeps them for {@code /proc/net/snmp} and
 * {@code /proc/net/netstat}: named groups ({@code Ip}, {@code Icmp}, {@code Udp},
 * {@code Tcp}, ...) of named counters, which every protocol bundle registers into the one
 * {@link net.tern.inet.snmp.SnmpCounters} service and {@code net:nstat} reads as a snapshot.
 */
@Export
@Version("1.0.0")
package net.tern.inet.snmp;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
