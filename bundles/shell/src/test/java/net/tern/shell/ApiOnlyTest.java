package net.tern.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shell and the services reach the stack as applications do (DESIGN.md, layers): through
 * the socket API, the netlink family's message classes, the wire library and the tracepoints,
 * never through IPv4's packages ({@code net.tern.inet}), the link and device SPI
 * ({@code net.tern.spi.net}) or the protocol SPI ({@code net.tern.spi.proto}). This reads
 * both bundles' main sources and names every line that names such a package.
 */
class ApiOnlyTest {
    private static final Pattern STACK_INSIDES = Pattern.compile("\\bnet\\.tern\\.(inet|spi\\.net|spi\\.proto)\\.");

    @Test
    void shellAndServicesNameNoPackageOfTheStacksInsides() {
        Path shell = Path.of("src", "main", "java");
        Path services = Path.of("..", "services", "src", "main", "java");
        assertThat(shell).isDirectory();
        assertThat(services).isDirectory();

        List<String> offending = new ArrayList<>();
        offending.addAll(offendingLines(shell));
        offending.addAll(offendingLines(services));

        assertThat(offending).as("lines naming net.tern.inet, net.tern.spi.net or net.tern.spi.proto").isEmpty();
    }

    private static List<String> offendingLines(Path root) {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    String code = lines.get(i).strip();
                    boolean comment = code.startsWith("*") || code.startsWith("/*") || code.startsWith("//");
                    if (!comment && STACK_INSIDES.matcher(code).find()) {
                        found.add(file + ":" + (i + 1) + ": " + code);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }
}
