package net.tern.shell;

/**
 * A command that ran and failed, as a Linux tool prints its report and exits non-zero
 * ({@code ping} with no reply): the message is the whole report. The launcher prints it and
 * exits with status 1.
 */
public final class CommandFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CommandFailedException(String report) {
        super(report);
    }

    public CommandFailedException(String report, Throwable cause) {
        super(report, cause);
    }
}
