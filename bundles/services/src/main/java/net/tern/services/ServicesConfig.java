package net.tern.services;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Which services run, and where: configuration PID {@value ServiceRunner#PID}. */
@ObjectClassDefinition(name = "Tern standard services",
        description = "echo (RFC 862), discard (RFC 863), chargen (RFC 864) and the HTTP status page.")
public @interface ServicesConfig {
    @AttributeDefinition(description = "The services to run: echo, discard, chargen, http (a list, or one comma list).")
    String[] services() default {};

    @AttributeDefinition(description = "The local address to listen on (0.0.0.0: every address).")
    String address() default "0.0.0.0";

    @AttributeDefinition(description = "The local IPv6 address to listen on as well, with IPV6_V6ONLY sockets beside"
            + " the IPv4 ones, while the stack has IPv6 (::: every address; empty: no IPv6 sockets).",
            required = false)
    String address6() default "::";

    @AttributeDefinition(description = "Open TCP connections per service at most; at the limit a service stops "
            + "accepting and new connections wait in the listen queue until one ends.", min = "1")
    int maxConnections() default ServiceSettings.MAX_CONNECTIONS;

    @AttributeDefinition(description = "The listen backlog of each TCP service (capped by the stack's somaxconn): "
            + "connections that may wait to be accepted.", min = "1")
    int backlog() default ServiceSettings.BACKLOG;

    @AttributeDefinition(description = "Port offset added to every well-known port (0 in production; tests and "
            + "unprivileged setups may move them).", min = "0", max = "65000")
    int portOffset() default 0;
}
