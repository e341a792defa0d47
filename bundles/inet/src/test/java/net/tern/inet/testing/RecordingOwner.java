package net.tern.inet.testing;

import java.util.ArrayList;
import java.util.List;
import net.tern.api.socket.Errno;
import net.tern.spi.proto.ProtoSocket;

/** The socket layer's side of test sockets: records wake-ups and withdrawals. */
public final class RecordingOwner implements ProtoSocket.Owner {
    public final List<Integer> wakeUps = new ArrayList<>();
    public Errno withdrawnWith;

    @Override
    public void wakeUp(ProtoSocket sock, int mask) {
        wakeUps.add(mask);
    }

    @Override
    public void withdrawn(ProtoSocket sock, Errno errno, String reason) {
        withdrawnWith = errno;
    }
}
