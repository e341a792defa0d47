package net.tern.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Runs an application jar as {@code java -jar} would, in this JVM beside the stack: its
 * {@code Main-Class} on a class loader of its own whose parent is the system class loader
 * (the application sees the JDK and the launcher, never the framework's bundles, unless its
 * manifest asks for Tern's Netty transport with {@value #NETTY_TRANSPORT}{@code : true}: then
 * its parent is a {@link FrameworkPackagesLoader} of that bundle), on a thread named {@code main} in a thread group of its own. {@link #run} returns the status
 * {@code java} would exit with once every non-daemon thread the application started has
 * ended: 0 when {@code main} returned, 1 when it threw. An application that calls
 * {@code System.exit} ends the JVM itself, through the launcher's shutdown hook, which stops
 * the stack.
 */
final class AppRunner {
    /**
     * The manifest header by which an application says it uses Tern's Netty transport
     * ({@code TernEventLoopGroup} and its channels) and so must see the framework's Netty.
     */
    static final String NETTY_TRANSPORT = "Tern-Netty-Transport";

    private final Path jar;
    private final List<String> args;
    private final PrintStream err;

    AppRunner(Path jar, List<String> args, PrintStream err) {
        this.jar = jar;
        this.args = List.copyOf(args);
        this.err = err;
    }

    /** Whether the jar's manifest has {@value #NETTY_TRANSPORT}{@code : true}. */
    boolean usesNettyTransport() throws IOException {
        if (!Files.isRegularFile(jar)) {
            return false;
        }
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            String value = manifest == null ? null : manifest.getMainAttributes().getValue(NETTY_TRANSPORT);
            return value != null && Boolean.parseBoolean(value.strip());
        }
    }

    /** The main class's {@code main(String[])}, or an exception saying why there is none. */
    Method mainMethod(ClassLoader loader) throws IOException, AppException {
        if (!Files.isRegularFile(jar)) {
            throw new AppException("--app " + jar + ": no such file");
        }
        String name;
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            name = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.MAIN_CLASS);
        }
        if (name == null || name.isBlank()) {
            throw new AppException("--app " + jar + ": no Main-Class in its manifest");
        }
        Class<?> main;
        try {
            main = Class.forName(name.strip(), false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new AppException("--app " + jar + ": cannot load its Main-Class " + name.strip() + ": " + e);
        }
        try {
            Method m = main.getMethod("main", String[].class);
            if (!Modifier.isStatic(m.getModifiers())) {
                throw new AppException("--app " + jar + ": " + main.getName() + ".main(String[]) is not static");
            }
            return m;
        } catch (NoSuchMethodException e) {
            throw new AppException("--app " + jar + ": " + main.getName() + " has no public static main(String[])");
        } catch (LinkageError e) {
            // Linking the class for its methods found a class its signatures name missing.
            throw new AppException("--app " + jar + ": cannot link its Main-Class " + main.getName() + ": " + e);
        }
    }

    /** Runs the application to its end on a class loader whose parent is the system class loader. */
    int run() throws IOException, AppException, InterruptedException {
        return run(ClassLoader.getSystemClassLoader());
    }

    /**
     * Runs the application to its end on a class loader whose parent is {@code parent}: 0, or 1
     * when {@code main} threw (printed as the JDK prints it).
     */
    int run(ClassLoader parent) throws IOException, AppException, InterruptedException {
        URLClassLoader loader = new URLClassLoader("app", new URL[] {jar.toUri().toURL()}, parent);
        Method main = mainMethod(loader);
        ThreadGroup group = new ThreadGroup("app");
        Throwable[] thrown = new Throwable[1];
        Thread thread = new Thread(group, () -> {
            try {
                main.invoke(null, (Object) args.toArray(new String[0]));
            } catch (InvocationTargetException e) {
                thrown[0] = e.getCause();
            } catch (IllegalAccessException e) {
                thrown[0] = e;
            }
        }, "main");
        thread.setContextClassLoader(loader);
        thread.start();
        thread.join();
        if (thrown[0] != null) {
            err.print("Exception in thread \"main\" ");
            thrown[0].printStackTrace(err);
        }
        awaitNonDaemonThreads(group);
        return thrown[0] != null ? 1 : 0;
    }

    /** As the JVM does before it exits after {@code main}: waits for each live non-daemon thread of the application. */
    private static void awaitNonDaemonThreads(ThreadGroup group) throws InterruptedException {
        while (true) {
            Thread[] threads = new Thread[group.activeCount() + 16];
            int n = group.enumerate(threads, true);
            Thread live = null;
            for (int i = 0; i < n && live == null; i++) {
                if (threads[i].isAlive() && !threads[i].isDaemon()) {
                    live = threads[i];
                }
            }
            if (live == null) {
                return;
            }
            live.join();
        }
    }

    /** The application cannot be started: its jar, manifest or main class is missing or wrong. */
    static final class AppException extends Exception {
        private static final long serialVersionUID = 1L;

        AppException(String message) {
            super(message);
        }
    }
}
