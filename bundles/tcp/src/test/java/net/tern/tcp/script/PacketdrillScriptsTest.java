package net.tern.tcp.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
 * A script marked {@value #TERN_DIFFERS} in its first lines states Linux's behaviour where Tern
 * differs: it must fail here (and its test fails once it passes, so that the note goes).
 */
@ExtendWith(PacketLeakCheck.class)
class PacketdrillScriptsTest {
    /** Scripts waiting for a feature; kept, not run (see packetdrill/README.md). */
    static final String PENDING_FOLDER = "pending";
    /**
     * The note in a script's first lines saying that Linux (where the script passes) and Tern
     * differ, and why: the script is expected to fail here.
     */
    static final String TERN_DIFFERS = "tern-differs:";
    /** How many of a script's first lines may carry these notes. */
    static final int NOTE_LINES = 15;

    /** The text after {@code note} in the script's first lines, or null without it. */
    static String marker(String text, String note) {
        String[] lines = text.split("\\R", NOTE_LINES + 1);
        for (int i = 0; i < Math.min(lines.length, NOTE_LINES); i++) {
            int at = lines[i].indexOf(note);
            if (at >= 0) {
                return lines[i].substring(at + note.length()).strip();
            }
        }
        return null;
    }

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
                String differs = marker(text, TERN_DIFFERS);
                if (differs == null) {
                    ScriptRunner.run(ScriptParser.parse(name, text));
                    return;
                }
                // The script says what Linux does and Tern does not do yet: it must fail here, and
                // once it passes its note goes.
                assertThatThrownBy(() -> ScriptRunner.run(ScriptParser.parse(name, text)))
                        .as("%s is marked tern-differs (%s) but passes in Tern: remove the note", name, differs)
                        .isInstanceOf(ScriptFailure.class);
            });
        });
    }
}
