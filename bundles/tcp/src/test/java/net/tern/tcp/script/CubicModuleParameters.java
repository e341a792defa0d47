package net.tern.tcp.script;

import net.tern.tcp.cubic.CubicOptions;

/**
 * Linux's {@code tcp_cubic} module parameters ({@code /sys/module/tcp_cubic/parameters/NAME},
 * which a script sets with {@code echo N > ...}) as the options of Tern's CUBIC (Config Admin
 * PID {@code net.tern.tcp.cubic.Cubic}). {@code beta} and {@code bic_scale} are constants in Linux
 * 6.x as in Tern: writing their value is taken, another refused; so is any parameter Tern lacks.
 */
final class CubicModuleParameters {
    static final String PREFIX = "/sys/module/tcp_cubic/parameters/";

    private CubicOptions options = CubicOptions.DEFAULTS;

    CubicOptions options() {
        return options;
    }

    /**
     * Sets {@code name} (the file's name under {@link #PREFIX}) to {@code value}.
     *
     * @throws IllegalArgumentException naming the parameter when Tern has no such option or value
     */
    void set(String name, String value) {
        int v;
        try {
            v = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("tcp_cubic " + name + " takes a number, not \"" + value + "\"");
        }
        CubicOptions o = options;
        options = switch (name) {
            case "fast_convergence" -> new CubicOptions(v != 0, o.tcpFriendliness(), o.hyStart(), o.hyStartDetect(),
                    o.hyStartLowWindow(), o.hyStartAckDeltaMicros(), o.hyStartPlusPlus());
            case "tcp_friendliness" -> new CubicOptions(o.fastConvergence(), v != 0, o.hyStart(), o.hyStartDetect(),
                    o.hyStartLowWindow(), o.hyStartAckDeltaMicros(), o.hyStartPlusPlus());
            case "hystart" -> new CubicOptions(o.fastConvergence(), o.tcpFriendliness(), v != 0, o.hyStartDetect(),
                    o.hyStartLowWindow(), o.hyStartAckDeltaMicros(), o.hyStartPlusPlus());
            case "hystart_detect" -> new CubicOptions(o.fastConvergence(), o.tcpFriendliness(), o.hyStart(), v,
                    o.hyStartLowWindow(), o.hyStartAckDeltaMicros(), o.hyStartPlusPlus());
            case "hystart_low_window" -> new CubicOptions(o.fastConvergence(), o.tcpFriendliness(), o.hyStart(),
                    o.hyStartDetect(), v, o.hyStartAckDeltaMicros(), o.hyStartPlusPlus());
            case "hystart_ack_delta_us" -> new CubicOptions(o.fastConvergence(), o.tcpFriendliness(), o.hyStart(),
                    o.hyStartDetect(), o.hyStartLowWindow(), v, o.hyStartPlusPlus());
            case "beta" -> constant(name, v, 717, o);
            case "bic_scale" -> constant(name, v, 41, o);
            case "initial_ssthresh" -> constant(name, v, 0, o);
            default -> throw new IllegalArgumentException("Tern's CUBIC has no parameter " + name);
        };
    }

    private static CubicOptions constant(String name, int value, int fixed, CubicOptions o) {
        if (value != fixed) {
            throw new IllegalArgumentException("tcp_cubic " + name + " is always " + fixed + " in Tern");
        }
        return o;
    }
}
