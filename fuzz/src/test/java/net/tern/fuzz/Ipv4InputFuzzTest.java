package net.tern.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Replays the saved inputs of {@link Ipv4InputFuzzer} (IPv4 with options and fragments, ICMP,
 * UDP and TCP from the wire) in {@code mvn verify}: those in
 * {@code Ipv4InputFuzzTestInputs/datagrams/}, the corpus {@code fuzz/run.sh} grows and
 * minimizes, and the inputs that once found a bug.
 */
class Ipv4InputFuzzTest {
    @FuzzTest
    void datagrams(FuzzedDataProvider data) throws Exception {
        Ipv4InputFuzzer.fuzzerTestOneInput(data);
    }
}
