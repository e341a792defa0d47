package net.tern.link.tun;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** One TUN device: a factory configuration of PID {@value TunDevice#PID}. */
@ObjectClassDefinition(name = "Tern TUN device",
        description = "A Linux TUN interface the stack sends and receives IP packets through.")
public @interface TunConfig {
    @AttributeDefinition(description = "Interface name, in the stack and in the kernel (at most 15 characters).")
    String name() default "tun0";

    @AttributeDefinition(description = "MTU of the link; the kernel side is set to the same.", min = "68", max = "65535")
    int mtu() default TunSettings.DEFAULT_MTU;

    @AttributeDefinition(description = "The stack's addresses on the link, as A.B.C.D/N.", required = false)
    String[] addresses() default {};

    @AttributeDefinition(description = "The TUN clone device.")
    String devicePath() default TunSettings.DEFAULT_DEVICE_PATH;

    @AttributeDefinition(description = "Network namespace to create the interface in: a name under "
            + "/var/run/netns or a path; empty for the process's own.", required = false)
    String netns() default "";

    @AttributeDefinition(description = "Segmentation and checksum offload with the kernel: a virtio-net header "
            + "on each packet (IFF_VNET_HDR, TUNSETOFFLOAD), TCP packets of up to 64 KiB both ways; off for "
            + "wire-sized packets only.")
    boolean offload() default true;

    @AttributeDefinition(description = "TUN queues (IFF_MULTI_QUEUE), each read by a thread of its own, a flow's "
            + "packets sent on its network thread's queue; 0 for one per network thread, 1 for a single-queue file.",
            min = "0", max = "256")
    int queues() default 0;
}
