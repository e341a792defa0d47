/**
 * A Netty 4.2 transport over Tern's socket API: {@link net.tern.netty.TernIoHandler} waits in
 * one epoll set of the socket layer per event loop, and {@link net.tern.netty.TernSocketChannel},
 * {@link net.tern.netty.TernServerSocketChannel} and {@link net.tern.netty.TernDatagramChannel}
 * are the channels a {@code Bootstrap} or {@code ServerBootstrap} is given, as it would be given
 * Netty's epoll channels. {@link net.tern.netty.TernEventLoopGroup} is the group.
 */
@Export
@Version("1.0.0")
package net.tern.netty;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
