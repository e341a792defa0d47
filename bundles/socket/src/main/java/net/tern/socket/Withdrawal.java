package net.tern.socket;

import net.tern.api.socket.Errno;

/** Why a socket was withdrawn: the errno its later calls fail with, and the reason they give. */
record Withdrawal(Errno errno, String reason) {
}
