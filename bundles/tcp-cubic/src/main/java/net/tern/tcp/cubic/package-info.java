/**
 * CUBIC congestion control (RFC 9438) with HyStart++ slow start (RFC 9406), Linux's
 * {@code tcp_cubic}: the component {@link net.tern.tcp.cubic.Cubic} registers it as the
 * {@code CongestionControl} service named {@code cubic}. Nothing here is exported; TCP reaches
 * the algorithm through the service alone.
 */
package net.tern.tcp.cubic;
