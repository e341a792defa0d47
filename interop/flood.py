#!/usr/bin/python3
"""Floods Tern from the kernel's side of its TUN, for the memory-bound tests.

Packets are written with an AF_PACKET socket on the TUN interface, so they reach Tern as if
the kernel had routed them, from an address in the TUN's subnet that the kernel does not own
(--src): Tern's answers go back through the TUN, where the kernel, which neither owns nor
forwards that address, drops them without a reset or an ICMP error of its own. The same
socket reads Tern's answers (the handshake's SYN-ACK, the ACKs carrying the window).

  flood.py tcp-ooo --dev terntun0 --src 10.99.0.77 --dst 10.99.0.2 --port 9 --bytes 200000000
      one connection (SYN with MSS, window scale and SACK-permitted; the ACK), then segments
      inside the receive window but past a hole at its left edge that is never filled, so
      everything sent waits in the out-of-order queue or is dropped; offsets cycle through
      the window, which is re-read from Tern's duplicate ACKs

  flood.py udp --dev terntun0 --src 10.99.0.77 --dst 10.99.0.2 --port 9 --bytes 140000000
      datagrams of --size bytes to one port

  flood.py status --dst 10.99.0.2
      Tern's links and counters from its HTTP status page (the http service, /status.json),
      one "NAME VALUE" line each, as nstat prints them: link.DEV.rx.packets, TcpExt.TCPOFOQueue

The TUN's queue toward Tern's file holds 500 packets and drops what does not fit (the
interface's tx_dropped): the flood counts as sent only what the queue took, and whenever
the queue dropped, pauses so Tern's reader catches up, so --bytes is what reached Tern's TUN
file. Prints one JSON line: packets and bytes delivered, the queue's drops, and for TCP the
connection's numbers. Standard library only; run as root inside the namespace.
"""

import argparse
import array
import errno
import json
import os
import random
import select
import socket
import struct
import sys
import time
import urllib.request

ETH_P_IP = 0x0800
PACKET_OUTGOING = 4
TCP_SYN, TCP_RST, TCP_ACK = 0x02, 0x04, 0x10


def fold(total):
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def words(data):
    """The one's-complement sum of data's 16-bit big-endian words, unfolded."""
    if len(data) % 2:
        data += b"\0"
    a = array.array("H", data)
    if sys.byteorder == "little":
        a.byteswap()
    return sum(a)


def ip_header(src, dst, proto, payload_length, ident):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + payload_length, ident & 0xFFFF, 0x4000, 64, proto, 0,
                         src, dst)
    checksum = (~fold(words(header))) & 0xFFFF
    return header[:10] + struct.pack("!H", checksum) + header[12:]


class Link:
    """The AF_PACKET socket on the TUN: IP datagrams out to Tern and in from it."""

    CHECK_EVERY = 32

    def __init__(self, dev):
        self.dev = dev
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP))
        self.sock.bind((dev, ETH_P_IP))
        self.sock.setblocking(False)
        self.dropped_path = "/sys/class/net/%s/statistics/tx_dropped" % dev
        self.dropped_at_start = self.dropped_now()
        self.dropped_seen = self.dropped_at_start
        self.sent = 0
        self.pauses = 0

    def dropped_now(self):
        with open(self.dropped_path) as f:
            return int(f.read())

    def dropped(self):
        """Packets the TUN's queue dropped since this link was opened."""
        return self.dropped_now() - self.dropped_at_start

    def send(self, datagram):
        """Sends; every CHECK_EVERY sends, returns how many of them the queue dropped (else 0)."""
        while True:
            try:
                self.sock.sendto(datagram, (self.dev, ETH_P_IP))
                break
            except OSError as e:
                if e.errno not in (errno.ENOBUFS, errno.EAGAIN):
                    raise
                time.sleep(0.001)
        self.sent += 1
        if self.sent % self.CHECK_EVERY:
            return 0
        now = self.dropped_now()
        lost = now - self.dropped_seen
        self.dropped_seen = now
        if lost:
            self.pauses += 1
            time.sleep(0.002)
        return lost

    def receive(self):
        """Datagrams Tern sent that are waiting now (its own sends filtered out)."""
        out = []
        while True:
            try:
                data, address = self.sock.recvfrom(65535)
            except BlockingIOError:
                return out
            if address[2] != PACKET_OUTGOING:
                out.append(data)

    def wait(self, seconds):
        select.select([self.sock], [], [], seconds)


def tcp_segment(src, dst, sport, dport, seq, ack, flags, window, options, payload_sum, payload_length, ident,
                payload):
    offset = (20 + len(options)) // 4
    header = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, offset << 4, flags,
                         window, 0, 0) + options
    length = len(header) + payload_length
    pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_TCP, length)
    checksum = (~fold(words(pseudo) + words(header) + payload_sum)) & 0xFFFF
    header = header[:16] + struct.pack("!H", checksum) + header[18:]
    return ip_header(src, dst, socket.IPPROTO_TCP, length, ident) + header + payload


def parse_tcp(datagram, src, dst, sport, dport):
    """(seq, ack, flags, window, options) of a segment Tern sent on this connection, or None."""
    if len(datagram) < 40 or datagram[9] != socket.IPPROTO_TCP:
        return None
    ihl = (datagram[0] & 0x0F) * 4
    if datagram[12:16] != dst or datagram[16:20] != src:
        return None
    tcp = datagram[ihl:]
    s, d, seq, ack, offset, flags, window = struct.unpack("!HHIIBBH", tcp[:16])
    if s != dport or d != sport:
        return None
    return seq, ack, flags, window, tcp[20:(offset >> 4) * 4]


def window_scale(options):
    i = 0
    while i < len(options):
        kind = options[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if i + 1 >= len(options):
            break
        size = options[i + 1]
        if kind == 3 and size == 3:
            return options[i + 2]
        i += max(size, 2)
    return 0


def tcp_ooo(args):
    link = Link(args.dev)
    src, dst = socket.inet_aton(args.src), socket.inet_aton(args.dst)
    sport = random.randint(20000, 60000)
    isn = random.randint(0, 0xFFFFFFFF)
    ident = random.randint(0, 0xFFFF)
    # MSS 1460, SACK permitted, window scale 7, padded to 12 bytes.
    syn_options = struct.pack("!BBH", 2, 4, 1460) + bytes([4, 2, 1, 3, 3, 7, 0, 0])
    our_window = 65535
    link.send(tcp_segment(src, dst, sport, args.port, isn, 0, TCP_SYN, our_window, syn_options, 0, 0, ident, b""))
    deadline = time.monotonic() + 10
    synack = None
    while synack is None and time.monotonic() < deadline:
        link.wait(0.2)
        for d in link.receive():
            seg = parse_tcp(d, src, dst, sport, args.port)
            if seg and seg[2] & (TCP_SYN | TCP_ACK) == (TCP_SYN | TCP_ACK) and seg[1] == (isn + 1) & 0xFFFFFFFF:
                synack = seg
            elif seg and seg[2] & TCP_RST:
                sys.exit("flood.py: port %d refused the connection (RST)" % args.port)
    if synack is None:
        sys.exit("flood.py: no SYN-ACK from %s:%d within 10 s" % (args.dst, args.port))
    their_seq, _, _, synack_window, options = synack
    shift = window_scale(options)
    snd_una = (isn + 1) & 0xFFFFFFFF
    rcv_nxt = (their_seq + 1) & 0xFFFFFFFF
    ident += 1
    link.send(tcp_segment(src, dst, sport, args.port, snd_una, rcv_nxt, TCP_ACK, our_window >> 7, b"", 0, 0, ident,
                          b""))
    # The SYN-ACK's window is never scaled (RFC 7323 2.2); later ACKs' are.
    window = synack_window
    size = args.size
    payload = bytes((i * 7 + 13) & 0xFF for i in range(size))
    payload_sum = words(payload)
    hole = args.hole
    sent_packets = sent_bytes = 0
    offset = 0
    largest_window = window
    while sent_bytes < args.bytes:
        for d in link.receive():
            seg = parse_tcp(d, src, dst, sport, args.port)
            if seg and seg[2] & TCP_ACK and not seg[2] & TCP_SYN:
                window = seg[3] << shift
                largest_window = max(largest_window, window)
        room = window - hole
        if room < size:
            # The window closed: wait for the next ACK, then probe the window's edge again.
            link.wait(0.01)
            room = max(room, size)
        if offset + size > room:
            offset = 0
        ident += 1
        lost = link.send(tcp_segment(src, dst, sport, args.port, snd_una + hole + offset, rcv_nxt, TCP_ACK,
                                     our_window >> 7, b"", payload_sum, size, ident, payload))
        offset += size
        sent_packets += 1 - lost
        sent_bytes += size * (1 - lost)
    print(json.dumps({"mode": "tcp-ooo", "packets": sent_packets, "bytes": sent_bytes, "queue_drops": link.dropped(),
                      "pauses": link.pauses, "sport": sport, "window_scale": shift, "synack_window": synack_window,
                      "largest_window": largest_window}))


def udp(args):
    link = Link(args.dev)
    src, dst = socket.inet_aton(args.src), socket.inet_aton(args.dst)
    sport = random.randint(20000, 60000)
    payload = bytes((i * 7 + 13) & 0xFF for i in range(args.size))
    length = 8 + len(payload)
    pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_UDP, length)
    header = struct.pack("!HHHH", sport, args.port, length, 0)
    checksum = (~fold(words(pseudo) + words(header) + words(payload))) & 0xFFFF or 0xFFFF
    body = struct.pack("!HHHH", sport, args.port, length, checksum) + payload
    ident = random.randint(0, 0xFFFF)
    sent_packets = sent_bytes = 0
    while sent_bytes < args.bytes:
        ident += 1
        lost = link.send(ip_header(src, dst, socket.IPPROTO_UDP, length, ident) + body)
        sent_packets += 1 - lost
        sent_bytes += len(payload) * (1 - lost)
        if link.sent % 4096 == 0:
            link.receive()  # Tern's answers, if any: keep the socket's queue from filling
    print(json.dumps({"mode": "udp", "packets": sent_packets, "bytes": sent_bytes, "queue_drops": link.dropped(),
                      "pauses": link.pauses, "sport": sport}))


def status(args):
    with urllib.request.urlopen("http://%s/status.json" % args.dst, timeout=10) as response:
        page = json.loads(response.read())
    for link in page["links"]:
        for direction in ("rx", "tx"):
            for name, value in link[direction].items():
                print("link.%s.%s.%s %d" % (link["name"], direction, name, value))
    for group, counters in page["counters"].items():
        for name, value in counters.items():
            print("%s.%s %d" % (group, name, value))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["tcp-ooo", "udp", "status"])
    parser.add_argument("--dev", help="the TUN interface (kernel side)")
    parser.add_argument("--src", help="source address: in the TUN's subnet, not the kernel's")
    parser.add_argument("--dst", required=True, help="Tern's address")
    parser.add_argument("--port", type=int)
    parser.add_argument("--bytes", type=int, help="payload bytes to send")
    parser.add_argument("--size", type=int, default=1400, help="payload bytes per packet")
    parser.add_argument("--hole", type=int, default=1, help="tcp-ooo: bytes left unsent at the window's left edge")
    args = parser.parse_args()
    if args.mode == "status":
        status(args)
        return
    if None in (args.dev, args.src, args.port, args.bytes):
        parser.error("%s needs --dev, --src, --port and --bytes" % args.mode)
    if os.geteuid() != 0:
        sys.exit("flood.py needs root (an AF_PACKET socket)")
    {"tcp-ooo": tcp_ooo, "udp": udp}[args.mode](args)


if __name__ == "__main__":
    main()
