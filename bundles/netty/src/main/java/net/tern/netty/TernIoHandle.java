package net.tern.netty;

import io.netty.channel.IoHandle;

/** What a {@link TernIoHandler} waits on: a descriptor of the socket layer. */
interface TernIoHandle extends IoHandle {
    /** The descriptor, or -1 while the channel has no socket yet. */
    int fd();
}
