/**
 * Configuration through Config Admin (files in the distribution's {@code etc/}, watched by
 * Felix fileinstall), as a Linux host's network configuration applies {@code ip addr add},
 * {@code ip link set mtu}, {@code tc qdisc ... netem} and {@code ip route add} whenever an
 * interface appears: {@link net.tern.inet.impl.config.InterfaceConfig} (factory PID
 * {@code net.tern.interface}) and {@link net.tern.inet.impl.config.RouteConfig} (factory PID
 * {@code net.tern.route}).
 */
package net.tern.inet.impl.config;
