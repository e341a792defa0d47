package net.tern.services;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChargenServiceTest {

    @Test
    void patternIsRfc864sRotatingLinesOfThe95PrintableCharacters() {
        assertThat(ChargenPattern.line(0)).hasSize(72).startsWith(" !\"#$%&").endsWith("defg");
        assertThat(ChargenPattern.line(1)).startsWith("!\"#$%&'").endsWith("efgh");
        assertThat(ChargenPattern.line(94)).startsWith("~ !\"");
        assertThat(ChargenPattern.line(95)).isEqualTo(ChargenPattern.line(0));
        assertThat(ChargenPattern.CYCLE).isEqualTo(95 * 74);
        assertThat(ChargenPattern.byteAt(72)).isEqualTo((byte) '\r');
        assertThat(ChargenPattern.byteAt(73)).isEqualTo((byte) '\n');
        assertThat(ChargenPattern.byteAt(74)).isEqualTo((byte) '!');
        assertThat(ChargenPattern.byteAt(ChargenPattern.CYCLE)).isEqualTo((byte) ' ');
    }

    @Test
    void tcpChargenSendsThePatternUntilThePeerCloses() throws Exception {
        try (ServicesTestBed t = new ServicesTestBed(Service.CHARGEN)) {
            int fd = t.connect(19);
            byte[] got = t.readAtLeast(fd, 3 * ChargenPattern.CYCLE + 1000);
            assertThat(got.length).isGreaterThanOrEqualTo(3 * ChargenPattern.CYCLE + 1000);
            for (int i = 0; i < got.length; i++) {
                if (got[i] != ChargenPattern.byteAt(i)) {
                    throw new AssertionError("byte " + i + " is " + got[i] + ", expected " + ChargenPattern.byteAt(i));
                }
            }
            String firstLines = new String(got, 0, 148, StandardCharsets.US_ASCII);
            assertThat(firstLines).isEqualTo(ChargenPattern.line(0) + "\r\n" + ChargenPattern.line(1) + "\r\n");

            t.api().close(fd);
            // The server's next segment (after a zero-window probe, so let seconds pass) meets
            // the closed socket, which answers RST; the next send or epoll learns of it.
            t.pumpFor(5000);
            assertThat(t.sockets()).extracting(SocketRow::state).containsExactly("LISTEN");
        }
    }
}
