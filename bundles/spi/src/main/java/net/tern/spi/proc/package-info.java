/**
 * Files of the stack's {@code /proc}, as Linux's {@code proc_create} / {@code proc_net_*}
 * give protocols a place to show their state: a protocol registers a
 * {@link net.tern.spi.proc.ProcFile} service with the property {@code path}
 * ({@code "net/snmp"}), and the socket layer serves it to applications through the socket
 * API's {@code procRead}, so readers need no protocol's packages.
 */
@Export
@Version("1.0.0")
package net.tern.spi.proc;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
