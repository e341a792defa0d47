package net.tern.tcp.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The rule that keeps TCP's state owned: no class of this package lets another write its
 * fields. Every instance field is private, or final and not an array (a final array's
 * elements can still be written from outside). A connection's {@link TcpSock} holds only
 * private fields: its parts are reached through methods. An entry of the retransmission
 * queue ({@link TxSegment}) keeps its marks private; its queue alone calls the methods that
 * change them, keeping the scoreboard's counts in step.
 */
class StateOwnershipTest {
    @Test
    void tcpSockFieldsAreAllPrivate() {
        List<String> exposed = new ArrayList<>();
        for (Field f : TcpSock.class.getDeclaredFields()) {
            if (!f.isSynthetic() && !Modifier.isStatic(f.getModifiers()) && !Modifier.isPrivate(f.getModifiers())) {
                exposed.add(f.getName());
            }
        }
        assertThat(exposed).as("TcpSock fields others could reach").isEmpty();
    }

    @Test
    void noClassOfThePackageExposesWritableFields() throws Exception {
        List<Class<?>> classes = packageClasses();
        assertThat(classes).as("the package's classes were found").contains(TcpSock.class, RequestSock.class,
                TimeWaitSock.class, TcpSender.class, Segment.class, TxSegment.class);
        List<String> writable = new ArrayList<>();
        for (Class<?> c : classes) {
            for (Field f : c.getDeclaredFields()) {
                int m = f.getModifiers();
                if (f.isSynthetic() || Modifier.isStatic(m) || Modifier.isPrivate(m)) {
                    continue;
                }
                if (!Modifier.isFinal(m) || f.getType().isArray()) {
                    writable.add(c.getSimpleName() + "." + f.getName());
                }
            }
        }
        assertThat(writable).as("fields other classes could write").isEmpty();
    }

    /** Every class compiled into this package (nested ones included), from the classes directory. */
    private static List<Class<?>> packageClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(TcpSock.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dir = root.resolve(TcpSock.class.getPackageName().replace('.', '/'));
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                String file = p.getFileName().toString();
                if (file.endsWith(".class") && !file.equals("package-info.class")) {
                    String name = TcpSock.class.getPackageName() + "." + file.substring(0, file.length() - 6);
                    classes.add(Class.forName(name, false, TcpSock.class.getClassLoader()));
                }
            }
        }
        return classes;
    }
}
