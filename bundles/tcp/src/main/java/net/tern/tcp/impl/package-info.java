/**
 * TCP (RFC 9293) as Linux structures it: {@code tcp_prot} ({@link net.tern.tcp.impl.TcpProt})
 * behind inet's {@code inet_stream_ops}, {@code tcp_v4_rcv} as the handler of IP protocol 6
 * ({@link net.tern.tcp.impl.Tcp}), and the component that registers both
 * ({@link net.tern.tcp.impl.TcpInit}). Private to the bundle.
 */
package net.tern.tcp.impl;
