/**
 * The layering of AF_INET sockets ({@code net/ipv4/af_inet.c}), for the transports that plug
 * into IPv4. Linux splits a socket's operations in two: the family's generic
 * {@code proto_ops} ({@code inet_stream_ops}, {@code inet_dgram_ops}), which check
 * addresses, states and options that every inet socket shares, and the transport's
 * {@code struct proto} ({@code tcp_prot}, {@code udp_prot}), which does the protocol's own
 * work. Here:
 *
 * <ul>
 * <li>{@link net.tern.inet.sock.InetSock} is {@code struct inet_sock}: addresses, ports,
 *     states, options and the socket lock; a transport extends it ({@code udp_sock}).</li>
 * <li>{@link net.tern.inet.sock.InetProto} is {@code struct proto} for inet transports.</li>
 * <li>{@link net.tern.inet.sock.InetDgramOps} and {@link net.tern.inet.sock.InetStreamOps}
 *     are {@code inet_dgram_ops} and {@code inet_stream_ops}: {@code ProtoOps} that do the
 *     generic part under the socket lock and delegate to the socket's {@code InetProto}.</li>
 * <li>{@link net.tern.inet.sock.InetProtoSw} is {@code struct inet_protosw}: a transport
 *     registers one as a {@code ProtoSw} service ({@code family=2}, its type and protocol)
 *     and its {@code NetProtocol} ({@code protocol=N}); that is all it takes to plug in.</li>
 * <li>{@link net.tern.inet.sock.ProtoMemory} is {@code struct proto}'s memory accounting
 *     ({@code memory_allocated}, {@code tcp_mem} / {@code udp_mem}, memory pressure), and
 *     {@link net.tern.inet.sock.SockMemory} one socket's account against it
 *     ({@code sk_rmem_alloc}, {@code sk_wmem_queued}, {@code sk_forward_alloc}).</li>
 * <li>{@link net.tern.inet.sock.LocalPortRange} is {@code ip_local_port_range}, the ephemeral
 *     ports every inet transport draws from ({@code inet_get_local_port_range}).</li>
 * <li>{@link net.tern.inet.sock.Ip4Datagram} is what datagram transports share of
 *     {@code net/ipv4/datagram.c} ({@code ip4_datagram_connect}; since 1.7).</li>
 * </ul>
 *
 * <p>Locking ({@code lock_sock}): every operation but {@code poll} runs its generic part and
 * the transport's call under {@link net.tern.inet.sock.InetSock#lock()}, and timers take the
 * same lock. A transport's input, on whatever thread received the packet, takes it only when
 * no thread holds it ({@link net.tern.inet.sock.InetSock#tryLockForInput()}) and otherwise
 * queues the packet on the socket's backlog for the owner's release
 * ({@link net.tern.inet.sock.InetSock#addBacklog}, {@link net.tern.inet.sock.InetProto#backlogRcv};
 * since 1.8). Operations never block, so the lock is held only for the work itself. {@code poll} takes no lock (as
 * {@code tcp_poll} does not): a transport's poll reads volatile state.
 */
@Export
@Version("1.13.0")
package net.tern.inet.sock;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
