package net.tern.fuzz.harness;

import static net.tern.wire.TcpPacket.ACK;
import static net.tern.wire.TcpPacket.FIN;
import static net.tern.wire.TcpPacket.SYN;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * The remote end of one TCP connection, at 10.0.0.2:{@link #port}, as a peer on the wire
 * sees it: its own sequence space ({@link #nxt}), and what it learned from the segments the
 * stack sent ({@link #absorb}): the stack's highest sequence number ({@link #stackNxt}), the
 * last ACK and window, the last TSval to echo, and the last datagram (for ICMP errors to quote).
 * Segments are built from that, so a fuzz target can send both sensible and wild ones.
 */
public final class TcpPeer {
    public final int port;
    public final int stackPort;
    /** The peer's initial and next sequence numbers. */
    public int iss;
    public int nxt;
    /** The stack's sequence numbers as seen on the wire: its SYN's, and the highest end sent so far. */
    public int stackIss;
    public int stackNxt;
    public boolean stackSynSeen;
    public int stackAck;
    public int stackWindow;
    public boolean stackFinSeen;
    public int stackTsVal;
    /** The peer's timestamp clock, in its own ticks. */
    public int tsVal = 100_000;
    /** What the peer negotiated: timestamps, SACK, its window shift (-1 none). */
    public boolean ts;
    public boolean sack;
    public int wscale = -1;
    /** The last datagram the stack sent on this connection. */
    public byte[] lastFromStack;
    public int segmentsFromStack;
    private int ipId = 1;

    public TcpPeer(int port, int stackPort, int iss) {
        this.port = port;
        this.stackPort = stackPort;
        this.iss = iss;
        this.nxt = iss;
    }

    /** Learns from what the stack sent: the segments of this connection. */
    public void absorb(List<byte[]> sent) {
        for (byte[] d : sent) {
            if (d.length < 20 || (d[0] & 0xf0) != 0x40 || (d[9] & 0xff) != Wire.IPPROTO_TCP) {
                continue;
            }
            ByteBuf buf = Unpooled.wrappedBuffer(d);
            int ihl = (d[0] & 0x0f) * 4;
            if (d.length < ihl + 20 || buf.getUnsignedShort(ihl) != stackPort || buf.getUnsignedShort(ihl + 2) != port) {
                continue;
            }
            int seq = buf.getInt(ihl + 4);
            int ack = buf.getInt(ihl + 8);
            int off = (buf.getUnsignedByte(ihl + 12) >>> 4) * 4;
            int flags = buf.getUnsignedByte(ihl + 13);
            int dataLength = d.length - ihl - off;
            if ((flags & SYN) != 0) {
                stackIss = seq;
                if (!stackSynSeen) {
                    stackNxt = seq;
                }
                stackSynSeen = true;
            }
            int end = seq + dataLength + ((flags & SYN) != 0 ? 1 : 0) + ((flags & FIN) != 0 ? 1 : 0);
            if (stackSynSeen && end - stackNxt > 0) {
                stackNxt = end;
            }
            if ((flags & FIN) != 0) {
                stackFinSeen = true;
            }
            if ((flags & ACK) != 0) {
                stackAck = ack;
            }
            stackWindow = buf.getUnsignedShort(ihl + 14);
            boolean sawTimestamp = false;
            for (int i = ihl + 20; i < ihl + off && i < d.length;) {
                int kind = d[i] & 0xff;
                if (kind == 0) {
                    break;
                }
                if (kind == 1) {
                    i++;
                    continue;
                }
                if (i + 1 >= d.length) {
                    break;
                }
                int len = d[i + 1] & 0xff;
                if (kind == 8 && len == 10 && i + 10 <= d.length) {
                    stackTsVal = buf.getInt(i + 2);
                    sawTimestamp = true;
                }
                i += Math.max(2, len);
            }
            if ((flags & SYN) != 0) {
                ts = tsWanted && sawTimestamp;
            }
            lastFromStack = d;
            segmentsFromStack++;
        }
    }

    /** The peer's TCP options: the handshake ones when asked, a timestamp when negotiated (or forced), SACK blocks. */
    public byte[] options(boolean synOptions, boolean timestamp, int[] sackBlocks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (synOptions) {
            out.write(2);
            out.write(4);
            out.write(1460 >>> 8);
            out.write(1460 & 0xff);
            if (wscale >= 0) {
                out.writeBytes(new byte[] {1, 3, 3, (byte) wscale});
            }
            if (sack) {
                out.writeBytes(new byte[] {1, 1, 4, 2});
            }
        }
        if (timestamp) {
            out.writeBytes(new byte[] {1, 1, 8, 10});
            writeInt(out, tsVal);
            writeInt(out, synOptions && !stackSynSeen ? 0 : stackTsVal);
        }
        if (sackBlocks != null && sackBlocks.length >= 2) {
            int blocks = Math.min(sackBlocks.length / 2, timestamp ? 3 : 4);
            out.writeBytes(new byte[] {1, 1, 5, (byte) (2 + 8 * blocks)});
            for (int i = 0; i < 2 * blocks; i++) {
                writeInt(out, sackBlocks[i]);
            }
        }
        return out.toByteArray();
    }

    /** The IPv4 datagram of a segment from the peer with these fields. */
    public byte[] datagram(int flags, int seq, int ack, int window, byte[] options, byte[] data, boolean badChecksum) {
        byte[] tcp = Wire.tcp(FuzzHost.PEER, FuzzHost.LOCAL, port, stackPort, seq, ack, flags, window, 0, options, data,
                badChecksum);
        return Wire.ipv4(Wire.Ip.plain(FuzzHost.PEER, FuzzHost.LOCAL, Wire.IPPROTO_TCP, ipId++), tcp);
    }

    /** A well-formed segment at the peer's {@link #nxt}, acknowledging all the stack sent; {@link #nxt} advances. */
    public byte[] next(int flags, byte[] data) {
        tsVal += 10;
        byte[] d = datagram(flags, nxt, (flags & ACK) != 0 ? stackNxt : 0, 65535,
                options((flags & SYN) != 0, ts || ((flags & SYN) != 0 && tsWanted), null), data, false);
        nxt += data.length + ((flags & SYN) != 0 ? 1 : 0) + ((flags & FIN) != 0 ? 1 : 0);
        return d;
    }

    /** Whether the peer's SYN offers timestamps (the option is then used if the stack agrees). */
    public boolean tsWanted;

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }
}
