package net.tern.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds netlink messages in Linux's layout, in host byte order (little-endian): a
 * {@code struct nlmsghdr}, the family's fixed header written field by field, then attributes
 * ({@code struct nlattr}: length, type, payload, padded to 4 bytes), as {@code nlmsg_put},
 * {@code nla_put_*} and {@code nla_nest_start}/{@code nla_nest_end} build them. Several
 * messages may follow each other in one writer (a dump's part); {@link #toByteArray} gives
 * them all.
 *
 * <pre>{@code
 * NlWriter w = new NlWriter().begin(Rtnetlink.RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq, 0);
 * new IfInfoMsg(0, 0, 0, 0, 0).write(w);
 * w.end();
 * }</pre>
 */
public final class NlWriter {
    private byte[] bytes;
    private int length;
    /** Where the message being built starts, or -1 between messages. */
    private int messageStart = -1;

    public NlWriter() {
        this(256);
    }

    public NlWriter(int capacity) {
        bytes = new byte[Math.max(capacity, Netlink.NLMSG_HDRLEN)];
    }

    /** Starts a message: its header, with the length filled in by {@link #end}. */
    public NlWriter begin(int type, int flags, int seq, int pid) {
        if (messageStart >= 0) {
            throw new IllegalStateException("a message is being built: end() it first");
        }
        messageStart = length;
        u32(0).u16(type).u16(flags).u32(seq).u32(pid);
        return this;
    }

    /** Ends the message begun last: sets {@code nlmsg_len} and pads to 4 bytes ({@code NLMSG_ALIGN}). */
    public NlWriter end() {
        if (messageStart < 0) {
            throw new IllegalStateException("no message begun");
        }
        putU32(messageStart, length - messageStart);
        pad();
        messageStart = -1;
        return this;
    }

    /** The bytes written so far, from the last {@link #begin} (the message's size while building it). */
    public int messageLength() {
        return messageStart < 0 ? 0 : length - messageStart;
    }

    /** All bytes written. */
    public int length() {
        return length;
    }

    // ---- raw fields of a fixed header

    public NlWriter u8(int value) {
        ensure(1);
        bytes[length++] = (byte) value;
        return this;
    }

    public NlWriter u16(int value) {
        ensure(2);
        bytes[length++] = (byte) value;
        bytes[length++] = (byte) (value >>> 8);
        return this;
    }

    /** A 16-bit field in network byte order ({@code __be16}: a port). */
    public NlWriter be16(int value) {
        ensure(2);
        bytes[length++] = (byte) (value >>> 8);
        bytes[length++] = (byte) value;
        return this;
    }

    public NlWriter u32(int value) {
        ensure(4);
        putU32(length, value);
        length += 4;
        return this;
    }

    /** A 32-bit field in network byte order ({@code __be32}: an IPv4 address). */
    public NlWriter be32(int value) {
        ensure(4);
        bytes[length++] = (byte) (value >>> 24);
        bytes[length++] = (byte) (value >>> 16);
        bytes[length++] = (byte) (value >>> 8);
        bytes[length++] = (byte) value;
        return this;
    }

    public NlWriter u64(long value) {
        u32((int) value);
        return u32((int) (value >>> 32));
    }

    public NlWriter bytes(byte[] data) {
        ensure(data.length);
        System.arraycopy(data, 0, bytes, length, data.length);
        length += data.length;
        return this;
    }

    public NlWriter zeros(int count) {
        ensure(count);
        Arrays.fill(bytes, length, length + count, (byte) 0);
        length += count;
        return this;
    }

    // ---- attributes

    /** An attribute whose payload the caller writes next with the raw methods; close with {@link #endAttr}. */
    public int beginAttr(int type) {
        int start = length;
        u16(0).u16(type);
        return start;
    }

    /** Sets the attribute's length (header and payload, without padding) and pads after it. */
    public NlWriter endAttr(int start) {
        int attrLength = length - start;
        bytes[start] = (byte) attrLength;
        bytes[start + 1] = (byte) (attrLength >>> 8);
        pad();
        return this;
    }

    /** {@code nla_nest_start}: a nested attribute ({@link Netlink#NLA_F_NESTED} left to the caller, as rtnetlink's own replies leave it). */
    public int beginNested(int type) {
        return beginAttr(type);
    }

    /** {@code nla_nest_end}. */
    public NlWriter endNested(int start) {
        return endAttr(start);
    }

    public NlWriter attrU8(int type, int value) {
        int start = beginAttr(type);
        u8(value);
        return endAttr(start);
    }

    public NlWriter attrU16(int type, int value) {
        int start = beginAttr(type);
        u16(value);
        return endAttr(start);
    }

    public NlWriter attrU32(int type, int value) {
        int start = beginAttr(type);
        u32(value);
        return endAttr(start);
    }

    public NlWriter attrU64(int type, long value) {
        int start = beginAttr(type);
        u64(value);
        return endAttr(start);
    }

    /** An IPv4 address attribute ({@code nla_put_in_addr}): 4 bytes in network order. */
    public NlWriter attrInAddr(int type, int address) {
        int start = beginAttr(type);
        be32(address);
        return endAttr(start);
    }

    /** An IPv6 address attribute ({@code nla_put_in6_addr}): 16 bytes in network order, given as its two halves. */
    public NlWriter attrIn6Addr(int type, long high, long low) {
        int start = beginAttr(type);
        be32((int) (high >>> 32)).be32((int) high).be32((int) (low >>> 32)).be32((int) low);
        return endAttr(start);
    }

    /** A string attribute ({@code nla_put_string}): its bytes and a terminating NUL. */
    public NlWriter attrString(int type, String value) {
        int start = beginAttr(type);
        bytes(value.getBytes(StandardCharsets.UTF_8)).u8(0);
        return endAttr(start);
    }

    public NlWriter attrBytes(int type, byte[] value) {
        int start = beginAttr(type);
        bytes(value);
        return endAttr(start);
    }

    /** An attribute without payload ({@code nla_put_flag}). */
    public NlWriter attrFlag(int type) {
        return endAttr(beginAttr(type));
    }

    // ---- results

    /** A copy of every byte written. */
    public byte[] toByteArray() {
        if (messageStart >= 0) {
            throw new IllegalStateException("a message is being built: end() it first");
        }
        return Arrays.copyOf(bytes, length);
    }

    /** The bytes written, as a little-endian buffer to send. */
    public ByteBuffer toBuffer() {
        return ByteBuffer.wrap(toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Forgets everything written. */
    public NlWriter reset() {
        length = 0;
        messageStart = -1;
        return this;
    }

    private void pad() {
        int aligned = Netlink.align(length);
        zeros(aligned - length);
    }

    private void putU32(int at, int value) {
        bytes[at] = (byte) value;
        bytes[at + 1] = (byte) (value >>> 8);
        bytes[at + 2] = (byte) (value >>> 16);
        bytes[at + 3] = (byte) (value >>> 24);
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
