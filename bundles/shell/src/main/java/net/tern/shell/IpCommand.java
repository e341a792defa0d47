package net.tern.shell;

import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code net:ip}: iproute2's {@code ip} for the objects the stack has, {@code address}
 * ({@link IpAddr}) and {@code route} ({@link IpRoute}), with iproute2's abbreviations
 * ({@code net:ip a}, {@code net:ip r s}), output and error messages. {@code -4} and {@code -6}
 * choose the family; without either, {@code show} lists both and {@code add}/{@code del} take
 * the family of the address given, as {@code ip} does.
 *
 * <p>It talks to the stack as {@code ip} does, through {@code NETLINK_ROUTE} sockets opened with
 * the socket API, one per command.
 *
 * <p>A change that succeeds prints nothing, as {@code ip} does (the command returns null).
 * Bad arguments and refused changes throw {@link IllegalArgumentException} with
 * {@code ip}'s message; {@code net:ip} alone throws the usage, {@code net:ip help} prints it.
 */
@Component(service = IpCommand.class, property = {
        "osgi.command.scope=net",
        "osgi.command.function=ip"})
public final class IpCommand {
    static final String USAGE = String.join("\n",
            "Usage: net:ip [ OPTIONS ] OBJECT { COMMAND | help }",
            "where  OBJECT := { address | route }",
            "       OPTIONS := { -4 | -6 }");

    /**
     * The netlink family's service filter ({@code family=16}), which {@code net:impair} still
     * waits for; {@code net:ip}, {@code net:links} and {@code net:ss} need only the socket API.
     */
    static final String NETLINK = "(family=16)";

    private final IpAddr address;
    private final IpRoute route;

    @Activate
    public IpCommand(@Reference(name = "sockets") SocketApi sockets) {
        this.address = new IpAddr(sockets);
        this.route = new IpRoute(sockets);
    }

    /** {@code ip [OPTIONS] OBJECT [COMMAND [ARGUMENTS]]}. */
    public String ip(String... argv) {
        Args args = new Args(argv);
        int family = SocketConstants.AF_UNSPEC;
        while (args.hasNext() && args.peek().startsWith("-")) {
            String option = args.next();
            String name = option.startsWith("--") ? option.substring(2) : option.substring(1);
            if (name.equals("4")) {
                family = SocketConstants.AF_INET;
                continue;
            }
            if (name.equals("6")) {
                family = SocketConstants.AF_INET6;
                continue;
            }
            if (!name.isEmpty() && "help".startsWith(name)) {
                return USAGE;
            }
            throw new IllegalArgumentException("Option \"" + option + "\" is unknown, try \"net:ip -help\".");
        }
        if (!args.hasNext()) {
            throw new IllegalArgumentException(USAGE);
        }
        String object = args.next();
        // iproute2 tries its objects in this order, so "a" is address and "r" is route.
        if (Args.matches(object, "address")) {
            return address.run(args, family);
        }
        if (Args.matches(object, "route")) {
            return route.run(args, family);
        }
        if (Args.matches(object, "help")) {
            return USAGE;
        }
        throw new IllegalArgumentException("Object \"" + object + "\" is unknown, try \"net:ip help\".");
    }
}
