package net.tern.tcp.cc;

/** A connection's congestion fields held in plain fields, for algorithm tests. */
final class FakeCongestionState implements CongestionState {
    int cwnd = 10;
    int ssthresh = Integer.MAX_VALUE;
    int cwndCount;
    int cwndClamp = 100_000;
    int priorCwnd;
    int inFlight;
    int mss = 1460;
    long srtt;
    long minRtt;
    long now;
    boolean cwndLimited = true;
    CaState state = CaState.OPEN;

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
}
