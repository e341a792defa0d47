package net.tern.testfamily.impl;

import net.tern.testfamily.LocalSockAddr;

/** One queued datagram and the address it came from. */
record Datagram(LocalSockAddr from, byte[] payload) {
}
