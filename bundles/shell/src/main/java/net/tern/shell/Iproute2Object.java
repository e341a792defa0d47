package net.tern.shell;

/**
 * One object of {@code ip} ({@code address}, {@code route}): the command words every object
 * takes, dispatched as iproute2's {@code do_ipaddr()} and {@code do_iproute()} both do it.
 * Nothing after the object is {@code show}; {@code add}, {@code delete}, {@code list},
 * {@code show}, {@code lst} and {@code help} may be abbreviated, tried in that order, so
 * {@code a} is add, {@code d} is delete and {@code s} is show.
 */
abstract class Iproute2Object {
    private final String objectName;
    private final String usage;

    /**
     * {@code objectName} in full, as the pointer to {@code help} names it
     * ({@code net:ip address help}); {@code usage} is what {@code help} prints.
     */
    Iproute2Object(String objectName, String usage) {
        this.objectName = objectName;
        this.usage = usage;
    }

    /**
     * Runs {@code ip OBJECT [COMMAND [ARGUMENTS]]} on the words after the object;
     * {@code family} is what {@code -4} or {@code -6} asked ({@code AF_INET}, {@code AF_INET6}),
     * {@code AF_UNSPEC} for neither.
     */
    final String run(Args args, int family) {
        if (!args.hasNext()) {
            return show(args, family);
        }
        String command = args.next();
        if (Args.matches(command, "add")) {
            return modify(args, true, family);
        }
        if (Args.matches(command, "delete")) {
            return modify(args, false, family);
        }
        if (Args.matches(command, "list") || Args.matches(command, "show") || Args.matches(command, "lst")) {
            return show(args, family);
        }
        if (Args.matches(command, "help")) {
            return usage;
        }
        throw Iproute2Errors.unknownCommand(command, objectName);
    }

    /** {@code show} (also {@code list}, {@code lst}) with the words after it; null prints nothing. */
    abstract String show(Args args, int family);

    /** {@code add} (when {@code add}) or {@code delete} with the words after it; null on success. */
    abstract String modify(Args args, boolean add, int family);
}
