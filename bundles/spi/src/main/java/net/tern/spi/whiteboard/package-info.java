/**
 * The one implementation of the stack's registration tables: services that plug into a
 * numbered slot (an ethertype, an IP protocol, an address family, a socket type) where the
 * best-ranked one serves and the others wait in reserve, as Linux's {@code ptype_base}
 * ({@code dev_add_pack}), {@code inet_protos[]} ({@code inet_add_protocol}),
 * {@code net_families[]} ({@code sock_register}) and {@code inetsw[]}
 * ({@code inet_register_protosw}) are filled at boot.
 *
 * <p>{@link net.tern.spi.whiteboard.ServiceRank} is the OSGi service order (ranking, then
 * service id), {@link net.tern.spi.whiteboard.IntProperty} reads the slot number from a
 * service property, and {@link net.tern.spi.whiteboard.SlotTable} holds the slots: lookups
 * are O(1) and take no lock, so the data path can use them per packet.
 * {@link net.tern.spi.whiteboard.Registrations} holds what an activator registered and
 * withdraws it in reverse order when the bundle stops.
 */
@Export
@Version("1.1.0")
package net.tern.spi.whiteboard;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
