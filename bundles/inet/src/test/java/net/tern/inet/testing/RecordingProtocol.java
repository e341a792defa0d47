package net.tern.inet.testing;

import java.util.ArrayList;
import java.util.List;
import net.tern.spi.net.Packet;
import net.tern.spi.proto.NetProtocol;

/** A {@link NetProtocol} that keeps copies of what it is handed and releases the packets. */
public final class RecordingProtocol implements NetProtocol {
    /** A delivered packet: the transport bytes, and the IP header bytes at its network header. */
    public record Delivery(byte[] transport, byte[] ipHeader) {
    }

    /** An {@code err_handler} call: the quoted bytes from the quoted IP header on. */
    public record ErrorReport(int type, int code, int info, byte[] quoted) {
    }

    public final List<Delivery> delivered = new ArrayList<>();
    public final List<ErrorReport> errors = new ArrayList<>();

    @Override
    public void handler(Packet packet) {
        byte[] transport = new byte[packet.length()];
        packet.buf().getBytes(packet.buf().readerIndex(), transport);
        int nh = packet.networkHeader();
        byte[] header = new byte[packet.buf().readerIndex() - nh];
        packet.buf().getBytes(nh, header);
        delivered.add(new Delivery(transport, header));
        packet.release();
    }

    @Override
    public void errHandler(Packet quoted, int type, int code, int info) {
        byte[] bytes = new byte[quoted.length()];
        quoted.buf().getBytes(quoted.buf().readerIndex(), bytes);
        errors.add(new ErrorReport(type, code, info, bytes));
    }
}
