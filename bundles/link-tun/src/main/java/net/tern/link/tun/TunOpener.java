package net.tern.link.tun;

import net.tern.api.socket.ErrnoException;

/** How a {@link TunDevice} gets its file: {@link TunFile#open} in the stack, a socket pair in tests. */
@FunctionalInterface
interface TunOpener {
    TunFile open(TunSettings settings) throws ErrnoException;
}
