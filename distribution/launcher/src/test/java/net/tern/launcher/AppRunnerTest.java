package net.tern.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Applications compiled and jarred here, run as {@code java -jar} would. */
class AppRunnerTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /**
     * The application's {@code main}: records its arguments, class loader and context loader
     * in system properties, then starts a non-daemon thread that sets a property after 300
     * ms, or throws when its first argument is {@code throw}.
     */
    private static final String APP = String.join("\n",
            "package demo;",
            "public class App {",
            "  public static void main(String[] args) {",
            "    System.setProperty(\"app.args\", String.join(\",\", args));",
            "    System.setProperty(\"app.loader\", App.class.getClassLoader().getName());",
            "    System.setProperty(\"app.loaderParent\", String.valueOf(App.class.getClassLoader().getParent()"
                    + " == ClassLoader.getSystemClassLoader()));",
            "    System.setProperty(\"app.context\", String.valueOf(Thread.currentThread().getContextClassLoader()"
                    + " == App.class.getClassLoader()));",
            "    Thread late = new Thread(() -> {",
            "      try { Thread.sleep(300); } catch (InterruptedException e) { return; }",
            "      System.setProperty(\"app.lateThread\", \"done\");",
            "    });",
            "    late.start();",
            "    if (args.length > 0 && args[0].equals(\"throw\")) throw new IllegalStateException(\"failed on purpose\");",
            "  }",
            "}");

    private Path jar(String mainClass) throws IOException {
        Path src = dir.resolve("src/demo/App.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, APP);
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac.run(null, null, null, "-d", classes.toString(), src.toString())).isZero();
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (mainClass != null) {
            manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
        }
        Path jar = dir.resolve("app.jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            out.putNextEntry(new JarEntry("demo/App.class"));
            out.write(Files.readAllBytes(classes.resolve("demo/App.class")));
            out.closeEntry();
        }
        return jar;
    }

    private AppRunner runner(Path jar, String... args) {
        return new AppRunner(jar, List.of(args), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void mainRunsWithItsArgumentsOnItsOwnLoaderAndTheRunWaitsForItsNonDaemonThreads() throws Exception {
        System.clearProperty("app.lateThread");
        int status = runner(jar("demo.App"), "one", "two words").run();
        assertThat(status).isZero();
        assertThat(System.getProperty("app.args")).isEqualTo("one,two words");
        assertThat(System.getProperty("app.loader")).isEqualTo("app");
        assertThat(System.getProperty("app.loaderParent")).isEqualTo("true");
        assertThat(System.getProperty("app.context")).isEqualTo("true");
        assertThat(System.getProperty("app.lateThread")).isEqualTo("done");
    }

    @Test
    void aMainThatThrowsIsPrintedAsTheJdkPrintsItAndGivesStatusOne() throws Exception {
        System.clearProperty("app.lateThread");
        int status = runner(jar("demo.App"), "throw").run();
        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("Exception in thread \"main\" java.lang.IllegalStateException: failed on purpose");
        assertThat(System.getProperty("app.lateThread")).isEqualTo("done");
    }

    @Test
    void aJarWithoutMainClassOrWithAMissingOneIsRefusedByName() throws Exception {
        assertThatThrownBy(() -> runner(jar(null)).run()).isInstanceOf(AppRunner.AppException.class)
                .hasMessageEndingWith("no Main-Class in its manifest");
        assertThatThrownBy(() -> runner(jar("demo.Missing")).run()).isInstanceOf(AppRunner.AppException.class)
                .hasMessageContaining("cannot load its Main-Class demo.Missing");
        assertThatThrownBy(() -> runner(dir.resolve("none.jar")).run()).isInstanceOf(AppRunner.AppException.class)
                .hasMessageEndingWith("no such file");
    }
}
