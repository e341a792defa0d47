#!/usr/bin/env python3
"""How many challenge ACKs (RFC 5961) the Linux kernel sends, measured on the kernel itself.

Run as root; it makes a network namespace of its own (deleted at the end) with a TUN whose
kernel side is 10.94.0.1/24, and plays the peer 10.94.0.2 from user space through the TUN:
it opens a connection to a kernel listener with timestamps, then sends BATCH in-window RSTs
(not at rcv_nxt), BATCH SYNs and BATCH ACKs older than the kernel's snd_una - max_window, and
counts the pure ACKs the kernel sends back, with the kernel's counters (nstat). Each scenario
runs on a fresh connection:

  burst      the three batches back to back, all within 0.1 s
  unsent-ack one ACK of data never sent; then an old ACK followed by one of data never sent
  spaced     the three batches GAP seconds apart (GAP > tcp_invalid_ratelimit)
  no-ratelimit, limit-N   burst again with tcp_invalid_ratelimit=0, and then also with
             tcp_challenge_ack_limit=N, to show the stack-wide limit on its own

Prints, per scenario, the challenge ACKs seen and the counters that moved, as JSON lines.
"""
import argparse
import fcntl
import json
import os
import select
import socket
import struct
import subprocess
import sys
import time

from tcpwire import ACK, RST, SYN, datagram, syn_options, timestamp_option

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
KERNEL, PEER = "10.94.0.1", "10.94.0.2"


def segment(sport, dport, seq, ack, flags, window=65535, ts=None, syn=False):
    """A datagram from the peer to the kernel; `ts` is (TSval, TSecr), on a SYN with the SYN's options."""
    options = syn_options(*ts) if syn else timestamp_option(*ts) if ts else b""
    return datagram(PEER, KERNEL, sport, dport, seq, ack, flags, window, options)


def parse(packet):
    """(sport, dport, seq, ack, flags, tsval, tsecr, payload length) of a TCP datagram, else None."""
    if len(packet) < 40 or packet[0] >> 4 != 4 or packet[9] != 6:
        return None
    ihl = (packet[0] & 0xF) * 4
    tcp = packet[ihl:]
    sport, dport, seq, ack, off, flags = struct.unpack("!HHIIBB", tcp[:14])
    hlen = (off >> 4) * 4
    tsval = tsecr = None
    i = 20
    while i < hlen:
        kind = tcp[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        length = tcp[i + 1]
        if kind == 8 and length == 10:
            tsval, tsecr = struct.unpack("!II", tcp[i + 2:i + 10])
        i += max(length, 2)
    return sport, dport, seq, ack, flags, tsval, tsecr, len(tcp) - hlen


class Tun:
    def __init__(self, name):
        self.fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
        fcntl.ioctl(self.fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))

    def send(self, data):
        os.write(self.fd, data)

    def receive(self, seconds):
        """Every TCP datagram the kernel sends within `seconds`, with its arrival time."""
        out = []
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return out
            if select.select([self.fd], [], [], left)[0]:
                while True:
                    try:
                        data = os.read(self.fd, 65535)
                    except BlockingIOError:
                        break
                    seg = parse(data)
                    if seg:
                        out.append((time.monotonic(), seg))


def nstat():
    out = subprocess.run(["nstat", "-a", "-z", "-j"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)["kernel"]


def scenario(tun, listener, port, name, batch, gap, kinds=("rst", "syn", "old-ack")):
    """One connection from `port`, then the three batches; returns what the kernel sent back."""
    peer_isn, ts = 1_000_000, 1000
    tun.send(segment(port, 5000, peer_isn, 0, SYN, ts=(ts, 0), syn=True))
    synack = next(s for _, s in tun.receive(1.0) if s[0] == 5000 and s[1] == port and s[4] == SYN | ACK)
    kernel_isn, kernel_ts = synack[2], synack[5]
    rcv_nxt, snd_una = peer_isn + 1, kernel_isn + 1
    ts += 1
    tun.send(segment(port, 5000, rcv_nxt, snd_una, ACK, window=512, ts=(ts, kernel_ts)))
    conn, _ = listener.accept()
    tun.receive(0.2)
    before = nstat()
    start = time.monotonic()
    marks = {}
    for kind in kinds:
        marks[kind] = round(time.monotonic() - start, 3)
        for i in range(batch):
            ts += 1
            if kind == "rst":
                # In the window, not at rcv_nxt: a challenge, not a reset (RFC 5961 3.2).
                tun.send(segment(port, 5000, rcv_nxt + 1 + i, 0, RST, window=0))
            elif kind == "syn":
                tun.send(segment(port, 5000, rcv_nxt, 0, SYN, ts=(ts, 0), syn=True))
            elif kind == "unsent-ack":
                # Beyond snd_nxt: data never sent (RFC 5961 5.2).
                tun.send(segment(port, 5000, rcv_nxt, snd_una + 100_000, ACK, window=512, ts=(ts, kernel_ts)))
            else:
                # Below snd_una - max_window (RFC 5961 5.2).
                tun.send(segment(port, 5000, rcv_nxt, snd_una - 100_000, ACK, window=512, ts=(ts, kernel_ts)))
        if gap:
            time.sleep(gap)
    sent_seconds = time.monotonic() - start
    replies = tun.receive(max(0.6, gap))
    after = nstat()
    acks = [(t - start, s) for t, s in replies
            if s[1] == port and s[4] & (SYN | RST) == 0 and s[4] & ACK and s[7] == 0]
    moved = {k: after[k] - before.get(k, 0) for k in after
             if after[k] != before.get(k, 0) and ("Challenge" in k or "ACKSkipped" in k or k.startswith("TcpExtPAWS")
                                                or k in ("TcpInSegs", "TcpOutSegs", "TcpInErrs"))}
    conn.close()
    return {"scenario": name, "segments_sent": len(kinds) * batch, "seconds_to_send": round(sent_seconds, 3),
            "batches_started_at": marks, "challenge_acks": len(acks),
            "first_last_ack_at": [round(acks[0][0], 3), round(acks[-1][0], 3)] if acks else [], "counters": moved}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--batch", type=int, default=1000)
    p.add_argument("--gap", type=float, default=0.6)
    p.add_argument("--limit", type=int, default=1000)
    p.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if not args.inside:
        ns = "ternca%d" % os.getpid()
        subprocess.run(["ip", "netns", "add", ns], check=True)
        try:
            return subprocess.run(["ip", "netns", "exec", ns, sys.executable, os.path.abspath(__file__), "--inside",
                                   "--batch", str(args.batch), "--gap", str(args.gap), "--limit", str(args.limit)]
                                  ).returncode
        finally:
            subprocess.run(["ip", "netns", "del", ns], check=True)
    tun = Tun("tca0")
    for cmd in (["ip", "link", "set", "lo", "up"], ["ip", "addr", "add", KERNEL + "/24", "dev", "tca0"],
                ["sysctl", "-q", "net.ipv6.conf.all.disable_ipv6=1"], ["ip", "link", "set", "tca0", "txqueuelen", "10000"],
                ["ip", "link", "set", "tca0", "up"]):
        subprocess.run(cmd, check=True)
    listener = socket.socket()
    listener.bind((KERNEL, 5000))
    listener.listen(16)
    with open("/proc/sys/net/ipv4/tcp_challenge_ack_limit") as f:
        limit = f.read().strip()
    with open("/proc/sys/net/ipv4/tcp_invalid_ratelimit") as f:
        ratelimit = f.read().strip()
    print(json.dumps({"kernel": os.uname().release, "tcp_challenge_ack_limit": limit,
                      "tcp_invalid_ratelimit": ratelimit}))
    print(json.dumps(scenario(tun, listener, 40001, "burst", args.batch, 0)))
    print(json.dumps(scenario(tun, listener, 40002, "spaced", args.batch, args.gap)))
    print(json.dumps(scenario(tun, listener, 40005, "unsent-ack", 1, 0, ("unsent-ack",))))
    print(json.dumps(scenario(tun, listener, 40006, "old-ack, then unsent-ack", 1, 0, ("old-ack", "unsent-ack"))))
    subprocess.run(["sysctl", "-q", "net.ipv4.tcp_invalid_ratelimit=0"], check=True)
    print(json.dumps(scenario(tun, listener, 40003, "no-ratelimit", args.batch, 0)))
    subprocess.run(["sysctl", "-q", "net.ipv4.tcp_challenge_ack_limit=%d" % args.limit], check=True)
    print(json.dumps(scenario(tun, listener, 40004, "no-ratelimit, limit-%d" % args.limit, args.batch, 0)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
