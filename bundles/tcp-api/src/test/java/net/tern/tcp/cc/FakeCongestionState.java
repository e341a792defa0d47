package net.tern.tcp.cc;

/**
 * A connection's congestion fields held in plain fields, for algorithm tests: the test sets
 * them (the clock {@link #now} included) and reads what the algorithm set. Published in this
 * bundle's test-jar, so algorithm bundles test against the same fake, extending it with the
 * calls TCP makes into a controller where they simulate a connection.
 */
public class FakeCongestionState implements CongestionState {
    public int cwnd = 10;
    public int ssthresh = Integer.MAX_VALUE;
    public int cwndCount;
    public int cwndClamp = 100_000;
    public int priorCwnd;
    public int inFlight;
    public int mss = 1460;
    public long srtt;
    public long minRtt;
    /** {@link #nowMicros()}: virtual time, moved by the test. */
    public long now;
    public boolean cwndLimited = true;
    public CaState state = CaState.OPEN;
    public int sndUna;
    public int sndNxt;
    /** {@link #lastSendMicros()}: when data were last sent. */
    public long lastSend;

    /** The clock at 0. */
    public FakeCongestionState() {
        this(0);
    }

    /** The clock at {@code nowMicros}. */
    public FakeCongestionState(long nowMicros) {
        this.now = nowMicros;
    }

    @Override
    public int cwnd() {
        return cwnd;
    }

    @Override
    public void cwnd(int segments) {
        cwnd = Math.max(1, Math.min(segments, cwndClamp));
    }

    @Override
    public int ssthresh() {
        return ssthresh;
    }

    @Override
    public void ssthresh(int segments) {
        ssthresh = Math.max(2, segments);
    }

    @Override
    public int cwndCount() {
        return cwndCount;
    }

    @Override
    public void cwndCount(int count) {
        cwndCount = count;
    }

    @Override
    public int cwndClamp() {
        return cwndClamp;
    }

    @Override
    public int priorCwnd() {
        return priorCwnd;
    }

    @Override
    public int packetsInFlight() {
        return inFlight;
    }

    @Override
    public int mss() {
        return mss;
    }

    @Override
    public long srttMicros() {
        return srtt;
    }

    @Override
    public long minRttMicros() {
        return minRtt;
    }

    @Override
    public long nowMicros() {
        return now;
    }

    @Override
    public boolean isCwndLimited() {
        return cwndLimited;
    }

    @Override
    public CaState caState() {
        return state;
    }

    @Override
    public int sndUna() {
        return sndUna;
    }

    @Override
    public int sndNxt() {
        return sndNxt;
    }

    @Override
    public long lastSendMicros() {
        return lastSend;
    }
}
