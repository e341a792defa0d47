package net.tern.tcp.impl;

/**
 * Nagle's rule as Linux has it ({@code tcp_nagle_test}, {@code tcp_nagle_check} and
 * {@code tcp_minshall_check}): a segment smaller than the MSS waits while corked, or while Nagle
 * is on and a small segment sent before is not yet acknowledged (Minshall's rule: full-sized
 * data in flight do not hold it, unlike RFC 896's). Used by {@link TcpOutput} for each segment
 * and by {@link TcpTso} for the end of a packet.
 */
final class TcpNagle {
    private TcpNagle() {
    }

    /** {@code tcp_nagle_check} of a partial segment under the Nagle mode {@code nonagle}: whether it waits. */
    static boolean holdsPartial(TcpSock sk, int nonagle) {
        return (nonagle & TcpSender.NAGLE_CORK) != 0
                || (nonagle == 0 && !sk.rtx().isEmpty() && sk.snd().minshallCheck());
    }

    /**
     * {@code tcp_nagle_test}: whether a segment of {@code length} bytes may go; a push
     * ({@link TcpSender#NAGLE_PUSH}) and a FIN always go.
     */
    static boolean nagleTest(TcpSock sk, int length, boolean withFin, int nonagle) {
        if ((nonagle & TcpSender.NAGLE_PUSH) != 0 || withFin) {
            return true;
        }
        return length >= sk.opts().mssCache() || !holdsPartial(sk, nonagle);
    }
}
