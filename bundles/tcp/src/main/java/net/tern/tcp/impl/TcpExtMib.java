package net.tern.tcp.impl;

/** The TCP part of the {@code TcpExt} group of {@code /proc/net/netstat}, named as Linux names them. */
public enum TcpExtMib {
    SyncookiesSent, SyncookiesRecv, SyncookiesFailed, EmbryonicRsts, TW, TWRecycled, PAWSEstab, PAWSOldAck, PAWSTimewait,
    DelayedACKs,
    ListenOverflows, ListenDrops, TCPTimeouts, TCPFastRetrans, TCPLossProbes, TCPLossProbeRecovery, TCPSACKReorder, TCPSackRecovery, TCPRenoRecovery,
    TCPAbortOnData, TCPAbortOnClose, TCPAbortOnTimeout, TCPAbortOnLinger, TCPChallengeACK, TCPSYNChallenge,
    TCPReqQFullDrop, TCPReqQFullDoCookies, TCPOFOQueue, TCPZeroWindowDrop, TCPWantZeroWindowAdv, TCPWinProbe,
    TCPKeepAlive, TCPDSACKRecv, TCPRcvQDrop, TCPACKSkippedSynRecv, TCPACKSkippedPAWS, TCPACKSkippedSeq,
    TCPACKSkippedFinWait2, TCPACKSkippedTimeWait, TCPACKSkippedChallenge,
    TCPLostRetransmit, TCPSACKReneging, TCPDSACKOldSent, TCPDSACKUndo, TCPFullUndo, TCPLossUndo,
    PruneCalled, RcvPruned, OfoPruned, TCPOFODrop, TCPOFOMerge, TCPDSACKOfoSent, TCPMemoryPressures,
    TCPMemoryPressuresChrono, OutOfWindowIcmps, TCPBacklogDrop, TCPSlowStartRetrans
}
