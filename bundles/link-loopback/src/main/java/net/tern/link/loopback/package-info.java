/** The loopback link driver: the device {@code lo} ({@code drivers/net/loopback.c}). */
package net.tern.link.loopback;
