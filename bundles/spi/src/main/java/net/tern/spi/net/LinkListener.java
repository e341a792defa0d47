package net.tern.spi.net;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A netdevice notifier ({@code register_netdevice_notifier}): registered as a service, it
 * hears every link change. On registering it first hears REGISTER (and UP, for links that
 * are up) for each link already there, as Linux replays them. Calls come on the
 * {@link NetworkThread} or the thread that made the change; keep them short.
 */
@ConsumerType
public interface LinkListener {
    void linkChanged(Link link, LinkEvent event);
}
