package net.tern.fuzz.harness;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J binding of the fuzz targets: the stack catches what its protocol handlers throw
 * at its boundaries ({@code ip_rcv}, the receive dispatch, ICMP's error delivery), logs it
 * as an error and goes on, as a kernel would rather than crash. A fuzzer must see those, so
 * every ERROR is recorded here ({@link #takeErrors()}) and a target fails on any; nothing
 * is printed (printing would slow the fuzzer and fill its log).
 */
public final class RecordingLoggerProvider implements SLF4JServiceProvider {
    private static final List<String> ERRORS = new ArrayList<>();

    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();
    private final ILoggerFactory factory = RecordingLogger::new;

    /** The errors logged since the last call, each with its exception's stack, oldest first. */
    public static List<String> takeErrors() {
        synchronized (ERRORS) {
            List<String> copy = new ArrayList<>(ERRORS);
            ERRORS.clear();
            return copy;
        }
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
    }

    /** Records ERROR events; everything below is off. */
    private static final class RecordingLogger extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;

        RecordingLogger(String name) {
            this.name = name;
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String messagePattern,
                Object[] arguments, Throwable throwable) {
            if (level != Level.ERROR) {
                return;
            }
            StringBuilder sb = new StringBuilder(name).append(": ")
                    .append(MessageFormatter.basicArrayFormat(messagePattern, arguments));
            if (throwable != null) {
                java.io.StringWriter trace = new java.io.StringWriter();
                throwable.printStackTrace(new java.io.PrintWriter(trace));
                sb.append('\n').append(trace);
            }
            synchronized (ERRORS) {
                ERRORS.add(sb.toString());
            }
        }

        @Override
        public boolean isTraceEnabled() {
            return false;
        }

        @Override
        public boolean isDebugEnabled() {
            return false;
        }

        @Override
        public boolean isInfoEnabled() {
            return false;
        }

        @Override
        public boolean isWarnEnabled() {
            return false;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }
    }
}
