package net.tern.shell;

import net.tern.netlink.diag.InetDiagMsg;
import net.tern.spi.diag.SkMemInfo;

/**
 * The words {@code ss} adds to a socket's row for {@code -o} (its timer), {@code -e} (owner,
 * inode, cookie, shutdown) and {@code -m} (its memory), written as iproute2's {@code ss.c}
 * writes them ({@code tcp_timer_print}, {@code sock_details_print}, {@code print_skmeminfo}).
 */
final class SsDetails {
    /** {@code tmr_name[]}: by {@code idiag_timer}; anything above 4 is {@code unknown}. */
    private static final String[] TIMER_NAMES = {"off", "on", "keepalive", "timewait", "persist", "unknown"};

    private SsDetails() {
    }

    /** {@code tcp_timer_print}: {@code timer:(on,200ms,0)}, or null when no timer is pending. */
    static String timer(InetDiagMsg m) {
        if (m.timer() == 0) {
            return null;
        }
        return "timer:(" + TIMER_NAMES[Math.min(m.timer(), 5)] + "," + msTimer(Integer.toUnsignedLong(m.expires()))
                + "," + m.retrans() + ")";
    }

    /**
     * {@code print_ms_timer}: minutes, seconds and milliseconds the way ss shortens them:
     * {@code 200ms}, {@code 1.500ms} (1 s 500 ms: below ten seconds the milliseconds stay),
     * {@code 48sec}, {@code 2min3sec}, {@code 119min}; nothing for 0.
     */
    static String msTimer(long timeout) {
        long secs = timeout / 1000;
        long minutes = secs / 60;
        secs %= 60;
        long msecs = timeout % 1000;
        StringBuilder sb = new StringBuilder();
        if (minutes != 0) {
            msecs = 0;
            sb.append(minutes).append("min");
            if (minutes > 9) {
                secs = 0;
            }
        }
        if (secs != 0) {
            if (secs > 9) {
                msecs = 0;
            }
            sb.append(secs).append(msecs != 0 ? "." : "sec");
        }
        if (msecs != 0) {
            sb.append(String.format("%03dms", msecs));
        }
        return sb.toString();
    }

    /**
     * {@code sock_details_print} and the shutdown state: {@code uid:N} when not 0, {@code ino:N}
     * (the stack's descriptor, its stand-in for an inode), {@code sk:HEX} (the cookie), then
     * {@code <->} with {@code -} where a direction is shut down, when the socket reports it.
     */
    static String extended(InetDiagMsg m, int shutdown) {
        StringBuilder sb = new StringBuilder();
        if (m.uid() != 0) {
            sb.append("uid:").append(Integer.toUnsignedString(m.uid())).append(' ');
        }
        sb.append("ino:").append(Integer.toUnsignedString(m.inode()));
        sb.append(" sk:").append(Long.toHexString(m.cookie()));
        if (shutdown >= 0) {
            sb.append(' ').append((shutdown & 1) != 0 ? '-' : '<').append('-').append((shutdown & 2) != 0 ? '-' : '>');
        }
        return sb.toString();
    }

    /**
     * {@code print_skmeminfo}: {@code skmem:(r0,rb131072,t0,tb16384,f0,w0,o0,bl0,d0)} from
     * {@code INET_DIAG_SKMEMINFO}, else {@code mem:(r,w,f,t)} from {@code INET_DIAG_MEMINFO}
     * ({@code meminfo}: rmem, wmem, fmem, tmem), else nothing (a request or TIME-WAIT entry).
     */
    static String memory(SkMemInfo skmem, int[] meminfo) {
        if (skmem != null) {
            return "skmem:(r" + u(skmem.rmemAlloc()) + ",rb" + u(skmem.rcvbuf()) + ",t" + u(skmem.wmemAlloc()) + ",tb"
                    + u(skmem.sndbuf()) + ",f" + u(skmem.fwdAlloc()) + ",w" + u(skmem.wmemQueued()) + ",o"
                    + u(skmem.optmem()) + ",bl" + u(skmem.backlog()) + ",d" + u(skmem.drops()) + ")";
        }
        if (meminfo != null) {
            return "mem:(r" + u(meminfo[0]) + ",w" + u(meminfo[1]) + ",f" + u(meminfo[2]) + ",t" + u(meminfo[3]) + ")";
        }
        return null;
    }

    private static String u(int value) {
        return Integer.toUnsignedString(value);
    }
}
