/**
 * The protocol layer's service interfaces, named after Linux's ({@code include/linux/net.h},
 * {@code include/net/sock.h}, {@code include/net/protocol.h}):
 * {@link net.tern.spi.proto.ProtocolFamily} ({@code net_proto_family}, {@code sock_register}),
 * {@link net.tern.spi.proto.ProtoSw} ({@code inet_protosw}, {@code inet_register_protosw}),
 * {@link net.tern.spi.proto.ProtoOps} ({@code proto_ops}), {@link net.tern.spi.proto.Proto}
 * ({@code proto}), {@link net.tern.spi.proto.NetProtocol} ({@code net_protocol},
 * {@code inet_add_protocol}) and {@link net.tern.spi.proto.ProtoSocket} ({@code struct socket}).
 */
@Export
@Version("1.5.0")
package net.tern.spi.proto;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
