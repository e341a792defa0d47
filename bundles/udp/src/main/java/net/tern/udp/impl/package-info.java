/**
 * UDP over IPv4 ({@code net/ipv4/udp.c}), private to the bundle: the {@code udp_prot}
 * transport behind {@code inet_dgram_ops}, the port table, input ({@code udp_rcv},
 * {@code udp_err}), output ({@code udp_sendmsg}) and the {@code Udp} counters. The bundle
 * exports nothing; it plugs into IPv4 only through the services it registers.
 */
package net.tern.udp.impl;
