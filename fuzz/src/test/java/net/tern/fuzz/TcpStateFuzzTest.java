package net.tern.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Replays the saved inputs of {@link TcpStateFuzzer} (TCP from the wire in every state) in
 * {@code mvn verify}: those in {@code TcpStateFuzzTestInputs/segmentsInEveryState/}, the
 * corpus {@code fuzz/run.sh} grows and minimizes, and the inputs that once found a bug.
 */
class TcpStateFuzzTest {
    @FuzzTest
    void segmentsInEveryState(FuzzedDataProvider data) throws Exception {
        TcpStateFuzzer.fuzzerTestOneInput(data);
    }
}
