/**
 * The TUN link driver: Linux TUN devices ({@code drivers/net/tun.c}) opened through
 * {@code /dev/net/tun} with JNA, one {@link net.tern.spi.net.NetDevice} per configuration.
 * Private: other bundles see only the {@code NetDevice} services.
 */
package net.tern.link.tun;
