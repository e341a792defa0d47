/**
 * Devices and receive dispatch: the registry behind {@code register_netdev}, the links it
 * makes, and {@code netif_receive_skb} by packet type.
 */
package net.tern.core.dev;
