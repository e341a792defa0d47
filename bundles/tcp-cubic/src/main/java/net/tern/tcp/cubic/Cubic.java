package net.tern.tcp.cubic;

import java.util.Objects;
import net.tern.tcp.cc.CongestionControl;
import net.tern.tcp.cc.CongestionController;
import net.tern.tcp.cc.CongestionState;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * CUBIC as a congestion control service: {@code tcp_register_congestion_control(&cubictcp)}.
 * TCP's default algorithm ({@code tcp_congestion_control} = cubic, as on Linux) while this runs.
 * Registered with the service property {@code name=cubic}; TCP creates a
 * {@link CubicController} per connection that selects it.
 *
 * <p>Configuration (PID {@code net.tern.tcp.cubic.Cubic}) changes the options of connections
 * created afterwards; the service stays registered meanwhile (a {@code @Modified} update),
 * so no connection falls back to Reno because of a configuration change.
 */
@Component(service = CongestionControl.class, property = CongestionControl.NAME + "=" + Cubic.NAME)
@Designate(ocd = Cubic.Config.class)
public final class Cubic implements CongestionControl {
    /** The name CUBIC registers under, as {@code TCP_CONGESTION} and {@code ss -i} show it. */
    public static final String NAME = "cubic";

    @ObjectClassDefinition(name = "Tern TCP CUBIC", description = "CUBIC congestion control as Linux's tcp_cubic "
            + "(RFC 9438), with Linux's HyStart or RFC 9406's HyStart++.")
    public @interface Config {
        @AttributeDefinition(description = "fast_convergence (RFC 9438, 4.7): after a loss below the previous W_max, "
                + "plateau lower to yield bandwidth to new flows. Turn off for a flow alone on its path.")
        boolean fastConvergence() default true;

        @AttributeDefinition(description = "tcp_friendliness (RFC 9438, 4.3): never grow slower than Reno would.")
        boolean tcpFriendliness() default true;

        @AttributeDefinition(description = "hystart: leave the initial slow start when the window fills the path "
                + "(ACK train) or the RTT rises (delay), before the first loss.")
        boolean hyStart() default true;

        @AttributeDefinition(description = "hystart_detect: 1 ACK train, 2 delay increase, 3 both.")
        int hyStartDetect() default HyStart.ACK_TRAIN | HyStart.DELAY;

        @AttributeDefinition(description = "hystart_low_window: no HyStart exit below this many segments.")
        int hyStartLowWindow() default 16;

        @AttributeDefinition(description = "hystart_ack_delta_us: ACKs at most this far apart (microseconds) "
                + "form a train.")
        int hyStartAckDeltaUs() default 2000;

        @AttributeDefinition(description = "Use HyStart++ (RFC 9406: conservative slow start for up to 5 rounds "
                + "after the RTT rises) instead of Linux's HyStart.")
        boolean hyStartPlusPlus() default false;
    }

    private volatile CubicOptions options;

    /** Without OSGi: Linux's defaults. */
    public Cubic() {
        this(CubicOptions.DEFAULTS);
    }

    public Cubic(CubicOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    @Activate
    public Cubic(Config config) {
        this(optionsOf(config));
    }

    /** New connections get the new options; existing ones keep theirs. */
    @Modified
    void modified(Config config) {
        options = optionsOf(config);
    }

    public CubicOptions options() {
        return options;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** {@code cubictcp_init}: a controller with no history; the window stays as TCP has it. */
    @Override
    public CongestionController create(CongestionState connection) {
        return new CubicController(connection, options);
    }

    private static CubicOptions optionsOf(Config config) {
        return new CubicOptions(config.fastConvergence(), config.tcpFriendliness(), config.hyStart(),
                config.hyStartDetect(), config.hyStartLowWindow(), config.hyStartAckDeltaUs(), config.hyStartPlusPlus());
    }
}
