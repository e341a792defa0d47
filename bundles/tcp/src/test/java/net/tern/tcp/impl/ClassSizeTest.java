package net.tern.tcp.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The bundle keeps Linux's file split in pieces a reader can hold: no main source file of TCP
 * reaches 600 lines. A class that grows past it is split by the Linux functions it plays, as
 * the retransmission queue's entry left the queue and loss recovery left congestion control.
 */
class ClassSizeTest {
    static final int LIMIT = 600;

    @Test
    void everyMainSourceFileIsUnder600Lines() throws IOException {
        Path main = Path.of("src/main/java");
        assertThat(main).as("run from the tcp module's directory").isDirectory();
        List<String> tooLong;
        List<Path> files;
        try (Stream<Path> walk = Files.walk(main)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertThat(files).as("TCP's sources were found").anyMatch(p -> p.endsWith("TcpSock.java"));
        tooLong = files.stream().filter(p -> lines(p) >= LIMIT).map(p -> p.getFileName() + ": " + lines(p)).toList();
        assertThat(tooLong).as("main source files of %d lines or more", LIMIT).isEmpty();
    }

    private static long lines(Path file) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.count();
        } catch (IOException e) {
            throw new IllegalStateException(file.toString(), e);
        }
    }
}
