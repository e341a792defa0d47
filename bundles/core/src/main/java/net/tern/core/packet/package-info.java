/** Packet memory ({@code alloc_skb}, {@code kfree_skb}): pooled buffers and the leak ledger. */
package net.tern.core.packet;
