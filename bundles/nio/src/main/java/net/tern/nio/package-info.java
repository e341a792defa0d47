/**
 * Tern's {@link java.nio.channels.spi.SelectorProvider}: {@link net.tern.nio.TernSelectorProvider}
 * opens socket, server-socket and datagram channels and selectors over the socket API
 * ({@code net.tern.api.socket.SocketApi}), with the JDK's behaviour and exceptions, so code
 * written for {@code java.nio.channels} (Netty's NIO transport, Jetty, the JDK's HTTP client)
 * runs on Tern unchanged. The channels themselves are the JDK's abstract types.
 */
@Export
@Version("1.0.0")
package net.tern.nio;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
