package net.tern.tcp.script;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.tern.core.testing.PacketLeakCheck;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every packetdrill script under {@code src/test/resources/packetdrill} (a {@code .pkt} file,
 * in any folder but {@code pending}) as one test, run by {@link ScriptRunner} against Tern.
 */
@ExtendWith(PacketLeakCheck.class)
class PacketdrillScriptsTest {
    /** Scripts waiting for a feature; kept, not run (see packetdrill/README.md). */
    static final String PENDING_FOLDER = "pending";

    @TestFactory
    Stream<DynamicTest> scripts() throws IOException, URISyntaxException {
        URL root = PacketdrillScriptsTest.class.getResource("/packetdrill");
        assertThat(root).as("the packetdrill scripts folder on the test class path").isNotNull();
        Path base = Paths.get(root.toURI());
        List<Path> scripts;
        try (Stream<Path> files = Files.walk(base)) {
            scripts = files.filter(p -> p.toString().endsWith(".pkt"))
                    .filter(p -> !base.relativize(p).startsWith(PENDING_FOLDER))
                    .sorted()
                    .collect(Collectors.toList());
        }
        assertThat(scripts).as("packetdrill scripts").isNotEmpty();
        return scripts.stream().map(path -> {
            String name = base.relativize(path).toString().replace('\\', '/');
            return DynamicTest.dynamicTest(name, path.toUri(), () -> {
                String text = Files.readString(path, StandardCharsets.UTF_8);
                ScriptRunner.run(ScriptParser.parse(name, text));
            });
        });
    }
}
