/**
 * Tracepoints, as Linux's {@code TRACE_EVENT}s and ftrace function events: the socket layer
 * and the transports fire {@link net.tern.spi.trace.TraceEvent}s named after the Linux
 * functions they stand in ({@code __sys_connect}, {@code tcp_set_state}, ...) through
 * {@link net.tern.spi.trace.Tracepoints}; tools ({@code net:trace}, {@code net:demo}) add a
 * {@link net.tern.spi.trace.TraceListener} there for as long as they watch. With no listener
 * a tracepoint costs one volatile read and allocates nothing.
 */
@Export
@Version("1.1.0")
package net.tern.spi.trace;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
