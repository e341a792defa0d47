package net.tern.spi.proto;

/**
 * The receive header of {@link ProtoOps#recvmsg}, the throwing receive: the API's
 * {@link net.tern.api.socket.MsgHeader} (sender and result flags), which {@link ProtoOps#tryRecvmsg}
 * takes as it is. Kept as its own type because {@code recvmsg}'s signature names it.
 */
public final class MsgHeader extends net.tern.api.socket.MsgHeader {
    @Override
    public MsgHeader reset() {
        super.reset();
        return this;
    }
}
