package net.tern.itests;

import static org.junit.Assert.assertEquals;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.ToolProvider;

/**
 * Application jars for {@code bin/tern --app}, built by the tests from an application's
 * source as its authors would ship it: nothing of Tern in the code or on its class path, except
 * for an application written for Tern's Netty transport, which compiles against the
 * distribution's jars and ships none of them.
 */
final class AppJars {
    private AppJars() {
    }

    /**
     * Compiles {@code source} (class {@code demo.NAME}) in {@code dir} against
     * {@code libraries} and jars it with {@code Main-Class} and a {@code Class-Path} naming
     * the libraries, copied into {@code lib/} beside it, as an application is shipped.
     */
    static Path applicationJar(Path dir, String name, String source, List<Path> libraries) throws IOException {
        return applicationJar(dir, name, source, libraries, List.of(), Map.of());
    }

    /**
     * As {@link #applicationJar(Path, String, String, List)}, also compiled against
     * {@code provided} (jars the runtime gives, not shipped), with {@code headers} added to the
     * manifest.
     */
    static Path applicationJar(Path dir, String name, String source, List<Path> libraries, List<Path> provided,
            Map<String, String> headers) throws IOException {
        Path src = dir.resolve("src/demo/" + name + ".java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, source);
        Path classes = dir.resolve("classes-" + name);
        Files.createDirectories(classes);
        Files.createDirectories(dir.resolve("lib"));
        List<String> classPath = new ArrayList<>();
        for (Path library : libraries) {
            Path copy = dir.resolve("lib").resolve(library.getFileName());
            if (!Files.exists(copy)) {
                Files.copy(library, copy);
            }
            classPath.add("lib/" + library.getFileName());
        }
        List<String> javac = new ArrayList<>(List.of("-d", classes.toString()));
        List<Path> compileClassPath = new ArrayList<>(libraries);
        compileClassPath.addAll(provided);
        if (!compileClassPath.isEmpty()) {
            javac.addAll(List.of("-cp", String.join(File.pathSeparator, compileClassPath.stream().map(Path::toString).toList())));
        }
        javac.add(src.toString());
        assertEquals("javac " + name, 0,
                ToolProvider.getSystemJavaCompiler().run(null, null, null, javac.toArray(new String[0])));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "demo." + name);
        if (!classPath.isEmpty()) {
            manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", classPath));
        }
        headers.forEach((header, value) -> manifest.getMainAttributes().put(new Attributes.Name(header), value));
        Path jar = dir.resolve(name + ".jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest);
             var walk = Files.walk(classes)) {
            for (Path c : walk.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(c).toString().replace(File.separatorChar, '/')));
                out.write(Files.readAllBytes(c));
                out.closeEntry();
            }
        }
        return jar;
    }

    /** The jars in {@code folder} (a library folder the build copied), sorted by name. */
    static List<Path> jars(Path folder) throws IOException {
        try (var list = Files.list(folder)) {
            return list.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
    }

    /** Deletes {@code dir} and everything in it. */
    static void delete(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
