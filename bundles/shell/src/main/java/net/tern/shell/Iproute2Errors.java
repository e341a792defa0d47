package net.tern.shell;

import net.tern.api.socket.ErrnoException;

/**
 * The error messages of iproute2 ({@code ip/utils.c}: {@code invarg}, {@code duparg},
 * {@code duparg2}, {@code nodev}; and the kernel's answers as {@code ip} prints them), so a
 * Linux user reads the same words. Each is an {@link IllegalArgumentException}, which the
 * launcher prints before exiting with status 1.
 */
final class Iproute2Errors {
    private Iproute2Errors() {
    }

    /** {@code NEXT_ARG()} with nothing left. */
    static IllegalArgumentException incomplete() {
        return new IllegalArgumentException("Command line is not complete. Try option \"help\"");
    }

    /** {@code invarg()}: a value that does not parse or is out of range. */
    static IllegalArgumentException invalidArgument(String problem, String argument) {
        return new IllegalArgumentException("Error: argument \"" + argument + "\" is wrong: " + problem);
    }

    /** {@code duparg()}: a keyword given twice. */
    static IllegalArgumentException duplicate(String keyword, String argument) {
        return new IllegalArgumentException(
                "Error: duplicate \"" + keyword + "\": \"" + argument + "\" is the second value.");
    }

    /** {@code duparg2()}: a bare word where the implied keyword already has its value. */
    static IllegalArgumentException duplicateOrGarbage(String keyword, String argument) {
        return new IllegalArgumentException(
                "Error: either \"" + keyword + "\" is duplicate, or \"" + argument + "\" is a garbage.");
    }

    /** {@code get_prefix()} failing. */
    static IllegalArgumentException prefixExpected(String argument) {
        return new IllegalArgumentException("Error: inet prefix is expected rather than \"" + argument + "\".");
    }

    /** {@code get_addr()} failing. */
    static IllegalArgumentException addressExpected(String argument) {
        return new IllegalArgumentException("Error: inet address is expected rather than \"" + argument + "\".");
    }

    /** {@code nodev()}: a device name that no link has. */
    static IllegalArgumentException noDevice(String name) {
        return new IllegalArgumentException("Cannot find device \"" + name + "\"");
    }

    /**
     * What {@code ip} prints when the kernel refuses a change: {@code RTNETLINK answers:}
     * and the errno's text. The stack's own message stays attached as the cause.
     */
    static IllegalArgumentException rtnetlink(ErrnoException refusal) {
        return new IllegalArgumentException("RTNETLINK answers: " + refusal.errno().text(), refusal);
    }

    /** An unknown command word of an object ({@code ip address foo}). */
    static IllegalArgumentException unknownCommand(String command, String object) {
        return new IllegalArgumentException(
                "Command \"" + command + "\" is unknown, try \"net:ip " + object + " help\".");
    }
}
