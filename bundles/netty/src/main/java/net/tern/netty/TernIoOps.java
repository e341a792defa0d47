package net.tern.netty;

import io.netty.channel.IoOps;

/**
 * The readiness a channel wants to hear of ({@code EPOLLIN}, {@code EPOLLOUT}, ...), submitted
 * to its {@link io.netty.channel.IoRegistration}. Interest 0 takes the descriptor out of the
 * epoll set, as the JDK's selector does for a key with no interest, so that an error or hang-up
 * nobody asked about does not wake the loop again and again.
 */
record TernIoOps(int events) implements IoOps {
}
