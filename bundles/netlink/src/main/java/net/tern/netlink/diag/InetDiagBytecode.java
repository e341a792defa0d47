package net.tern.netlink.diag;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SockAddr;

/**
 * The filter program of {@code INET_DIAG_REQ_BYTECODE} ({@code inet_diag_bc_run},
 * {@code inet_diag_bc_audit} in {@code net/ipv4/inet_diag.c}): a run of
 * {@code struct inet_diag_bc_op} ({@code code} u8, {@code yes} u8, {@code no} u16), each
 * a test that on success goes {@code yes} bytes on and on failure {@code no} bytes on; the
 * socket passes when the program runs off its end, fails when a jump goes one op beyond
 * ({@code len + 4}). Port tests carry the port in a second op's {@code no}; address tests
 * ({@code S_COND}, {@code D_COND}) a {@code struct inet_diag_hostcond}.
 */
public final class InetDiagBytecode {
    public static final int NOP = 0;
    public static final int JMP = 1;
    public static final int S_GE = 2;
    public static final int S_LE = 3;
    public static final int D_GE = 4;
    public static final int D_LE = 5;
    public static final int AUTO = 6;
    public static final int S_COND = 7;
    public static final int D_COND = 8;
    public static final int DEV_COND = 9;
    public static final int MARK_COND = 10;
    public static final int S_EQ = 11;
    public static final int D_EQ = 12;

    private final ByteBuffer program;

    private InetDiagBytecode(ByteBuffer program) {
        this.program = program;
    }

    /**
     * {@code inet_diag_bc_audit}: every op's code known, every jump landing on an op or just
     * past the end, every operand inside the program; EINVAL otherwise.
     */
    public static InetDiagBytecode audit(ByteBuffer bytes) throws ErrnoException {
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN).slice().order(ByteOrder.LITTLE_ENDIAN);
        int len = b.remaining();
        int at = 0;
        while (at < len) {
            if (len - at < 4) {
                throw invalid("op at byte " + at + " is cut short");
            }
            int code = b.get(at) & 0xff;
            int yes = b.get(at + 1) & 0xff;
            int no = b.getShort(at + 2) & 0xffff;
            int operand = switch (code) {
                case S_GE, S_LE, D_GE, D_LE, S_EQ, D_EQ, DEV_COND -> 4;
                case MARK_COND -> 8;
                case S_COND, D_COND -> hostcondLength(b, at);
                case AUTO, JMP, NOP -> 0;
                default -> throw invalid("unknown op code " + code + " at byte " + at);
            };
            int minLength = 4 + operand;
            if (code != NOP && (no < minLength || no > len - at + 4 || no % 4 != 0)) {
                throw invalid("op at byte " + at + " jumps " + no + " on failure, outside the program");
            }
            if (yes < minLength || yes > len - at + 4 || yes % 4 != 0) {
                throw invalid("op at byte " + at + " jumps " + yes + " on success, outside the program");
            }
            at += yes;
        }
        if (at != len) {
            throw invalid("the last op jumps beyond the program's end");
        }
        return new InetDiagBytecode(b);
    }

    private static int hostcondLength(ByteBuffer b, int at) throws ErrnoException {
        // struct inet_diag_hostcond: family u8, prefix_len u8, pad, port s32, then the address
        if (b.remaining() - at < 4 + 8) {
            throw invalid("address condition at byte " + at + " is cut short");
        }
        int family = b.get(at + 4) & 0xff;
        int prefixLen = b.get(at + 5) & 0xff;
        int addressBytes = family == 0 ? 0 : family == 2 ? 4 : family == 10 ? 16 : -1;
        if (addressBytes < 0 || prefixLen > addressBytes * 8 || b.remaining() - at < 12 + addressBytes) {
            throw invalid("address condition at byte " + at + " has family " + family + " and prefix " + prefixLen);
        }
        return 8 + addressBytes;
    }

    private static ErrnoException invalid(String why) {
        return new ErrnoException(Errno.EINVAL, "inet_diag bytecode: " + why);
    }

    /** {@code inet_diag_bc_run}: whether the socket from {@code local} to {@code peer} on {@code ifindex} passes. */
    public boolean run(InetSockAddr local, InetSockAddr peer, int ifindex) {
        return run((SockAddr) local, peer, ifindex);
    }

    /**
     * {@code inet_diag_bc_run} for a socket of either family: {@code local} and {@code peer}
     * are both {@link InetSockAddr} or both {@link Inet6SockAddr}.
     */
    public boolean run(SockAddr local, SockAddr peer, int ifindex) {
        int localPort = port(local);
        int peerPort = port(peer);
        ByteBuffer b = program;
        int len = b.remaining();
        int at = 0;
        while (at < len) {
            int code = b.get(at) & 0xff;
            int yes = b.get(at + 1) & 0xff;
            int no = b.getShort(at + 2) & 0xffff;
            boolean pass = switch (code) {
                case NOP, AUTO -> true;      // AUTO: the port was not bound by the application; Tern does not track it
                case JMP -> false;
                case S_EQ -> localPort == port(b, at);
                case S_GE -> localPort >= port(b, at);
                case S_LE -> localPort <= port(b, at);
                case D_EQ -> peerPort == port(b, at);
                case D_GE -> peerPort >= port(b, at);
                case D_LE -> peerPort <= port(b, at);
                case S_COND -> hostMatches(b, at, local, localPort);
                case D_COND -> hostMatches(b, at, peer, peerPort);
                case DEV_COND -> b.getInt(at + 4) == 0 || b.getInt(at + 4) == ifindex;
                case MARK_COND -> (0 & b.getInt(at + 8)) == b.getInt(at + 4); // sockets carry no mark: mark 0
                default -> false;
            };
            at += pass ? yes : no;
        }
        return at == len;
    }

    private static int port(ByteBuffer b, int at) {
        return b.getShort(at + 6) & 0xffff;
    }

    private static int port(SockAddr end) {
        return end instanceof Inet6SockAddr v6 ? v6.port() : ((InetSockAddr) end).port();
    }

    /**
     * {@code S_COND} / {@code D_COND}: the port unless -1, then the family (AF_UNSPEC passes;
     * an AF_INET condition matches an AF_INET6 socket's IPv4-mapped address by its last word,
     * any other mismatch fails), then the first {@code prefix_len} bits.
     */
    private static boolean hostMatches(ByteBuffer b, int at, SockAddr end, int endPort) {
        int family = b.get(at + 4) & 0xff;
        int prefixLen = b.get(at + 5) & 0xff;
        int port = b.getInt(at + 8);
        if (port != -1 && port != endPort) {
            return false;
        }
        if (family == 0) {
            return true;
        }
        ByteBuffer be = b.duplicate().order(ByteOrder.BIG_ENDIAN);
        if (family != end.family()) {
            return family == 2 && end instanceof Inet6SockAddr v6 && v6.isV4Mapped()
                    && prefixMatches((int) v6.low(), be.getInt(at + 12), prefixLen);
        }
        if (prefixLen == 0) {
            return true;
        }
        if (end instanceof Inet6SockAddr v6) {
            return prefixMatches(v6.high(), be.getLong(at + 12), Math.min(64, prefixLen))
                    && (prefixLen <= 64 || prefixMatches(v6.low(), be.getLong(at + 20), prefixLen - 64));
        }
        return prefixMatches(((InetSockAddr) end).address(), be.getInt(at + 12), prefixLen);
    }

    private static boolean prefixMatches(int actual, int wanted, int prefixLen) {
        int mask = prefixLen == 0 ? 0 : prefixLen >= 32 ? -1 : ~(-1 >>> prefixLen);
        return (actual & mask) == (wanted & mask);
    }

    private static boolean prefixMatches(long actual, long wanted, int prefixLen) {
        long mask = prefixLen == 0 ? 0 : prefixLen >= 64 ? -1L : ~(-1L >>> prefixLen);
        return (actual & mask) == (wanted & mask);
    }
}
