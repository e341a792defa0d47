package net.tern.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;

/**
 * A Felix framework laid out from the installation: {@code conf/config.properties} for its
 * properties, then bundles by folder and start level. {@code boot/} (start level 1) holds
 * what must run before anything logs: SPI Fly, ASM, SLF4J and its binding. {@code bundle/}
 * (level 2) holds the runtime and Tern. {@code shell/} (level 3) holds the interactive
 * Gogo shell, installed only when a terminal session is wanted. The framework's storage is a
 * fresh folder per run, deleted on stop, so stale bundles never linger.
 */
final class TernFramework {
    private final Path home;
    private final Path storage;
    private final Framework framework;

    TernFramework(Path home, Map<String, String> extraProperties) throws IOException {
        this.home = home;
        this.storage = Files.createTempDirectory("tern-felix-");
        Map<String, String> props = new HashMap<>(readConfig(home.resolve("conf/config.properties")));
        props.putAll(extraProperties);
        props.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        this.framework = new FrameworkFactory().newFramework(props);
    }

    private Map<String, String> readConfig(Path file) throws IOException {
        Map<String, String> map = new HashMap<>();
        if (!Files.exists(file)) {
            return map;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        for (String name : p.stringPropertyNames()) {
            map.put(name, p.getProperty(name).replace("${tern.home}", home.toString()));
        }
        return map;
    }

    /** Installs and starts the bundles; {@code withShell} adds the interactive Gogo shell. */
    void start(boolean withShell) throws BundleException, IOException {
        framework.init();
        List<Bundle> installed = new ArrayList<>();
        installed.addAll(install("boot", 1));
        installed.addAll(install("bundle", 2));
        if (withShell) {
            installed.addAll(install("shell", 3));
        }
        framework.start();
        for (Bundle b : installed) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                b.start();
            }
        }
        framework.adapt(FrameworkStartLevel.class).setStartLevel(3);
    }

    private List<Bundle> install(String folder, int startLevel) throws IOException, BundleException {
        Path dir = home.resolve(folder);
        List<Bundle> bundles = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return bundles;
        }
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.jar")) {
            stream.forEach(jars::add);
        }
        jars.sort(Comparator.naturalOrder());
        for (Path jar : jars) {
            Bundle b = framework.getBundleContext().installBundle(jar.toUri().toString());
            b.adapt(BundleStartLevel.class).setStartLevel(startLevel);
            bundles.add(b);
        }
        return bundles;
    }

    Framework framework() {
        return framework;
    }

    /** Stops the framework, waiting at most {@code millis}, and deletes its storage. */
    void stop(long millis) {
        try {
            if ((framework.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0) {
                framework.stop();
            }
            framework.waitForStop(millis);
        } catch (BundleException e) {
            System.err.println("tern: stopping the framework: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteStorage();
    }

    /** Waits until the framework has stopped by itself (the shell's exit, say). */
    FrameworkEvent waitForStop() throws InterruptedException {
        return framework.waitForStop(0);
    }

    private void deleteStorage() {
        try (Stream<Path> walk = Files.walk(storage)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover folder in the temp directory is harmless; nothing to do.
        }
    }
}
