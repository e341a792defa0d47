package net.tern.core.time;

import net.tern.spi.net.Clock;
import org.osgi.service.component.annotations.Component;

/**
 * The stack's real time: {@link System#nanoTime()} for intervals and timers, and
 * {@link System#currentTimeMillis()} for timestamps shown to people. This is the only place
 * the stack reads the system's time; everything else asks the {@link Clock} service, so tests
 * can put virtual time in its place.
 */
@Component(service = Clock.class)
public final class SystemClock implements Clock {
    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public long currentTimeMillis() {
        return System.currentTimeMillis();
    }
}
