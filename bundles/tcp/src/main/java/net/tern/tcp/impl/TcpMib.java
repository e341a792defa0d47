package net.tern.tcp.impl;

/** The {@code Tcp} group of {@code /proc/net/snmp} (RFC 4022 names), in Linux's order. */
public enum TcpMib {
    ActiveOpens, PassiveOpens, AttemptFails, EstabResets, CurrEstab, InSegs, OutSegs, RetransSegs, InErrs, OutRsts,
    InCsumErrors
}
