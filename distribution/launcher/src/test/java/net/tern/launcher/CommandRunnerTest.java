package net.tern.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CommandRunnerTest {
    @Test
    void escapesABarePercentSoNetemWordsReachTheCommand() {
        assertThat(CommandRunner.escapeBarePercent("net:impair tun0 loss 2% duplicate 1% reorder 5% seed 1"))
                .isEqualTo("net:impair tun0 loss 2\\% duplicate 1\\% reorder 5\\% seed 1");
        assertThat(CommandRunner.escapeBarePercent("net:impair lo loss 100%")).isEqualTo("net:impair lo loss 100\\%");
    }

    @Test
    void leavesArithmeticQuotesAndEscapesAlone() {
        assertThat(CommandRunner.escapeBarePercent("echo %(1+2)")).isEqualTo("echo %(1+2)");
        assertThat(CommandRunner.escapeBarePercent("net:impair lo loss '2%' delay \"3%\"")).isEqualTo(
                "net:impair lo loss '2%' delay \"3%\"");
        assertThat(CommandRunner.escapeBarePercent("net:impair lo loss 2\\%")).isEqualTo("net:impair lo loss 2\\%");
        assertThat(CommandRunner.escapeBarePercent("net:links")).isEqualTo("net:links");
    }
}
