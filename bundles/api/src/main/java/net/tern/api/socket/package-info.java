/**
 * The application-facing socket API of Tern, with BSD semantics.
 *
 * <p>Applications obtain the {@link net.tern.api.socket.SocketApi} service and use file
 * descriptors as they would with the Linux system calls: {@code socket}, {@code bind},
 * {@code listen}, {@code accept}, {@code connect}, {@code send}/{@code recv},
 * {@code sendto}/{@code recvfrom}, {@code shutdown}, {@code close}, {@code setsockopt},
 * {@code getsockopt} (struct-valued options such as {@code TCP_INFO} as records like
 * {@link net.tern.api.socket.TcpInfo}), {@code getsockname}, {@code getpeername}, and the epoll family for
 * readiness. Every failure is an {@link net.tern.api.socket.ErrnoException} carrying an
 * {@link net.tern.api.socket.Errno}; the data path's {@code sys*} calls return it as a
 * negative errno instead, so that would-block costs no allocation. The stack's clock
 * ({@code clock_gettime}) and its {@code /proc/net} counters ({@code procRead},
 * {@link net.tern.api.socket.ProcNetSnmp}) are read through the same service.
 */
@Export
@Version("1.11.0")
package net.tern.api.socket;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
