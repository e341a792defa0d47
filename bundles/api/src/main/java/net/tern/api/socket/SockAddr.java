package net.tern.api.socket;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A socket address ({@code struct sockaddr}): its family says how to read the rest.
 * AF_INET addresses are {@link InetSockAddr}; {@link #UNSPEC} is the AF_UNSPEC address that
 * dissolves a datagram socket's association when passed to {@code connect}. Other families
 * supply their own implementations.
 */
@ConsumerType
public interface SockAddr {
    /** The address family ({@code sa_family}), one of the {@code AF_*} constants. */
    int family();

    /** The AF_UNSPEC address. */
    SockAddr UNSPEC = new SockAddr() {
        @Override
        public int family() {
            return SocketConstants.AF_UNSPEC;
        }

        @Override
        public String toString() {
            return "AF_UNSPEC";
        }
    };
}
