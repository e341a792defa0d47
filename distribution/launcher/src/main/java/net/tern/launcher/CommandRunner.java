package net.tern.launcher;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Runs Gogo commands without a terminal, for {@code bin/tern -c}. The launcher lives
 * outside the framework and does not share Gogo's classes, so it reaches the command
 * processor through the interface loaded by the bundle that registered it.
 */
final class CommandRunner {
    private static final String PROCESSOR = "org.apache.felix.service.command.CommandProcessor";
    private static final String SESSION = "org.apache.felix.service.command.CommandSession";
    /** {@code Converter.INSPECT}: format a result in full, as the shell prints it. */
    private static final int INSPECT = 0;

    private final BundleContext context;
    private final long waitMillis;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean traceFailures;

    /** {@code traceFailures}: print a failed command's stack trace too (at debug and trace log levels). */
    CommandRunner(BundleContext context, long waitMillis, PrintStream out, PrintStream err, boolean traceFailures) {
        this.traceFailures = traceFailures;
        this.context = context;
        this.waitMillis = waitMillis;
        this.out = out;
        this.err = err;
    }

    /** Runs each command in turn; returns 0 if all succeeded, else 1 (stopping at the first failure). */
    int run(Iterable<String> commands) throws InterruptedException {
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        ServiceReference<?> ref = awaitService("(objectClass=" + PROCESSOR + ")", deadline);
        if (ref == null) {
            err.println("tern: the Gogo command processor did not start within " + waitMillis / 1000 + " s");
            return 1;
        }
        Object processor = context.getService(ref);
        try {
            Class<?> processorType = ref.getBundle().loadClass(PROCESSOR);
            Class<?> sessionType = ref.getBundle().loadClass(SESSION);
            Method create = processorType.getMethod("createSession", InputStream.class, OutputStream.class,
                    OutputStream.class);
            Method execute = sessionType.getMethod("execute", CharSequence.class);
            Method format = sessionType.getMethod("format", Object.class, int.class);
            Method close = sessionType.getMethod("close");
            Object session = create.invoke(processor, InputStream.nullInputStream(), out, err);
            try {
                for (String command : commands) {
                    if (!awaitCommand(command, deadline)) {
                        err.println("tern: command '" + firstWord(command) + "' did not appear within "
                                + waitMillis / 1000 + " s; is its bundle installed?");
                        return 1;
                    }
                    try {
                        Object result = execute.invoke(session, escapeBarePercent(command));
                        if (result != null) {
                            out.println(format.invoke(session, result, INSPECT));
                        }
                    } catch (InvocationTargetException e) {
                        Throwable cause = e.getCause() == null ? e : e.getCause();
                        err.println("tern: " + command + ": " + (cause.getMessage() == null ? cause : cause.getMessage()));
                        if (traceFailures) {
                            cause.printStackTrace(err);
                        }
                        return 1;
                    }
                }
                out.flush();
                return 0;
            } finally {
                close.invoke(session);
            }
        } catch (ReflectiveOperationException e) {
            err.println("tern: cannot drive the Gogo shell: " + e);
            return 1;
        } finally {
            context.ungetService(ref);
        }
    }

    /**
     * Gogo reads {@code %} as the start of an arithmetic expansion {@code %(...)} and refuses
     * any other {@code %} as a syntax error, so {@code net:impair tun0 loss 2%} (netem's own
     * words) would never reach the command. A {@code %} that does not open {@code %(}, outside
     * quotes and not escaped already, is escaped ({@code \%}), which Gogo hands on as a plain
     * {@code %}. Nothing else in the line changes.
     */
    static String escapeBarePercent(String command) {
        StringBuilder sb = new StringBuilder(command.length() + 4);
        char quote = 0;
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (c == '\\' && quote != '\'' && i + 1 < command.length()) {
                sb.append(c).append(command.charAt(++i));
                continue;
            }
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '%' && (i + 1 >= command.length() || command.charAt(i + 1) != '(')) {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** For {@code scope:function} commands, waits until a service offers that function. */
    private boolean awaitCommand(String command, long deadline) throws InterruptedException {
        String word = firstWord(command);
        int colon = word.indexOf(':');
        if (colon <= 0) {
            return true;
        }
        String filter = "(&(osgi.command.scope=" + word.substring(0, colon) + ")(osgi.command.function="
                + word.substring(colon + 1) + "))";
        return awaitService(filter, deadline) != null;
    }

    private ServiceReference<?> awaitService(String filter, long deadline) throws InterruptedException {
        while (true) {
            try {
                ServiceReference<?>[] refs = context.getServiceReferences((String) null, filter);
                if (refs != null && refs.length > 0) {
                    return refs[0];
                }
            } catch (InvalidSyntaxException e) {
                return null;
            }
            if (System.nanoTime() - deadline >= 0) {
                return null;
            }
            Thread.sleep(20);
        }
    }

    private static String firstWord(String command) {
        String trimmed = command.strip();
        int space = trimmed.indexOf(' ');
        return space < 0 ? trimmed : trimmed.substring(0, space);
    }
}
