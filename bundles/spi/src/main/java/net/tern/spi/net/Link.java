package net.tern.spi.net;

import java.util.List;
import net.tern.api.socket.ErrnoException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A registered device as the rest of the stack sees it: index, name, state, MTU, addresses
 * and counters, and the way out ({@code dev_queue_xmit}). Provided by the core's device
 * registry for each {@link NetDevice} service.
 */
@ProviderType
public interface Link {
    /** The interface index ({@code ifindex}), from 1, never reused while the stack runs. */
    int index();

    String name();

    /** The link type ({@code ARPHRD_*}). */
    int type();

    /** The device's flags plus {@code IFF_UP}, {@code IFF_RUNNING}, {@code IFF_LOWER_UP} while up. */
    int flags();

    boolean isUp();

    /** The device's offload features ({@code dev->features}), {@link NetdevFeatures} bits. */
    int features();

    /** {@code ip link set NAME up|down}: opens or stops the device; listeners hear UP or DOWN. */
    void setUp(boolean up) throws ErrnoException;

    int mtu();

    /** {@code ip link set NAME mtu N}: EINVAL outside 68 .. the device's maximum. */
    void setMtu(int mtu) throws ErrnoException;

    /** The IPv4 addresses on the link, in the order they were added. */
    List<IfAddress> addresses();

    /** {@code ip addr add}: EEXIST if the address is already there. */
    void addAddress(IfAddress address) throws ErrnoException;

    /** {@code ip addr del}: EADDRNOTAVAIL if the address is not there. */
    void removeAddress(IfAddress address) throws ErrnoException;

    /** The counters, both ways. */
    LinkStats stats();

    /**
     * {@code dev_queue_xmit}: sends {@code packet} (which must fit the MTU) and takes ownership
     * of it, answering as {@link NetXmit} says. A packet for a link that is down, or too long,
     * is counted as a transmit drop and released: {@code -ENETDOWN} or {@code -EMSGSIZE}. With
     * an {@link #impairment()} set the packet goes through it first; one it loses on purpose
     * still counts as taken (the wire lost it, as netem reports success), one it delays reaches
     * the driver later, and one that finds its queue full ({@link Impairment#limit()}) is
     * {@link NetXmit#DROP}.
     */
    int xmit(Packet packet);

    /** {@link #xmit}, answering whether the packet was taken ({@link NetXmit#eval} 0). */
    default boolean transmit(Packet packet) {
        return NetXmit.eval(xmit(packet)) == NetXmit.SUCCESS;
    }

    /**
     * The impairment on this link's transmit path ({@code tc qdisc show dev NAME} for netem),
     * {@link Impairment#NONE} when there is none. When it was set without a seed, the seed
     * the link picked is filled in, so the same run can be asked for again.
     */
    Impairment impairment();

    /**
     * {@code tc qdisc replace dev NAME root netem ...}: from now on, packets this link
     * transmits are lost, duplicated, held back and delayed as {@code impairment} says
     * ({@link Impairment#NONE} turns it off). The random choices start afresh from its seed.
     * Packets already held back go out at once; packets already delayed keep their time.
     * ENODEV once the link is unregistered.
     */
    void setImpairment(Impairment impairment) throws ErrnoException;

    /** What the impairment has done since the link registered. */
    ImpairmentStats impairmentStats();

    /**
     * Attaches {@code tap}, which from now on sees every packet this link transmits and
     * receives ({@code dev_add_pack} with {@code ETH_P_ALL}, bound to this device). Adding the
     * same tap twice has no further effect. Costs nothing on the data path while no tap is
     * attached.
     */
    void addTap(PacketTap tap);

    /**
     * Detaches {@code tap}; returns whether it was attached. Packets the link starts to hand
     * to taps after this returns no longer reach it.
     */
    boolean removeTap(PacketTap tap);
}
