package net.tern.netlink.impl;

import net.tern.inet6.addrconf.Inet6Config;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netlink's AF_INET6 addresses and routes while both netlink ({@link NetlinkInit}) and IPv6
 * (the inet6 bundle's {@link Inet6Config}) run: {@code net:ip -6 addr} and
 * {@code net:ip -6 route} work, and AF_INET6 address and route changes are announced. Without
 * IPv6, AF_INET6 requests are EOPNOTSUPP and its dumps empty, as on a Linux without the
 * {@code ipv6} module.
 */
@Component(immediate = true, service = {})
public final class Inet6NetlinkInit {
    private static final Logger LOG = LoggerFactory.getLogger(Inet6NetlinkInit.class);

    private final Inet6Netlink joined;

    /**
     * Activated with IPv6 or without it ({@code config} null: nothing to do); the reference is
     * static and greedy, so IPv6 coming or going activates it afresh, and optional, so the
     * bundle asks nothing of a stack without IPv6.
     */
    @Activate
    public Inet6NetlinkInit(@Reference(name = "netlink") NetlinkInit netlink,
            @Reference(name = "inet6", cardinality = ReferenceCardinality.OPTIONAL,
                    policyOption = ReferencePolicyOption.GREEDY) Inet6Config config) {
        this.joined = config == null ? null : Inet6Netlink.attach(netlink.stack(), config);
        if (joined != null) {
            LOG.info("netlink: AF_INET6 addresses and routes");
        }
    }

    @Deactivate
    void deactivate() {
        if (joined != null) {
            joined.close();
        }
    }
}
