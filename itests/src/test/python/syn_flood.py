#!/usr/bin/env python3
"""A SYN flood with legitimate clients in the middle of it, run from inside a test's namespace.

Sends COUNT SYNs at RATE per second from spoofed sources to TARGET:PORT through a raw socket
(IP_HDRINCL): each from its own address and port inside SPOOF_NET, with the options Linux puts
on a SYN (MSS, SACK-permitted, timestamps, window scale), so the listener's SYN queue fills and
it answers with SYN cookies. Its SYN-ACKs go to addresses nobody holds: the namespace does not
forward, so they end there. DELAY seconds into the flood, CLIENTS kernel sockets connect to
TARGET:PORT at once (an echo service), each sends BYTES bytes and reads them back; each records
how long that took, from connect() to the last byte. With --client-source FIRST, client i binds
to address FIRST + i (each an address of the namespace, none of them spoofed), so the clients
are as many hosts, each with its own timestamp offset at the listener.

Prints one JSON object: the flood (sent, seconds, rate) and each client's result (ok, ms, error).
Exits 0 when it ran (the test judges the figures), 2 on a bad argument.
"""
import argparse
import ipaddress
import json
import random
import socket
import sys
import threading
import time

from tcpwire import SYN, datagram, syn_options


def flood(args, datagrams, result):
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    raw.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    batch = max(1, args.rate // 1000)  # paced per millisecond
    start = time.monotonic()
    sent = 0
    errors = 0
    for i in range(0, len(datagrams), batch):
        due = start + i / args.rate
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        for d in datagrams[i:i + batch]:
            try:
                raw.sendto(d, (args.target, 0))
                sent += 1
            except OSError:
                errors += 1  # ENOBUFS: the TUN's queue is full; the kernel drops it as a link would
    result.update(sent=sent, send_errors=errors, seconds=round(time.monotonic() - start, 3))
    result["rate"] = round(sent / max(result["seconds"], 1e-6))
    raw.close()


def client(args, index, results):
    payload = bytes((index * 7 + i) & 0xFF for i in range(args.bytes))
    start = time.monotonic()
    entry = {"client": index}
    try:
        source = None
        if args.client_source:
            source = (str(ipaddress.ip_address(args.client_source) + index), 0)
        with socket.create_connection((args.target, args.port), timeout=args.timeout,
                                      source_address=source) as s:
            s.settimeout(args.timeout)
            s.sendall(payload)
            got = b""
            while len(got) < len(payload):
                chunk = s.recv(len(payload) - len(got))
                if not chunk:
                    break
                got += chunk
            entry["ok"] = got == payload
            if got != payload:
                entry["error"] = "echoed %d of %d bytes%s" % (len(got), len(payload),
                                                             "" if got == payload[:len(got)] else ", differing")
    except OSError as e:
        entry["ok"] = False
        entry["error"] = "%s: %s" % (type(e).__name__, e)
    entry["ms"] = round((time.monotonic() - start) * 1000, 1)
    results[index] = entry


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--target", required=True)
    p.add_argument("--port", type=int, default=7)
    p.add_argument("--spoof-net", default=None, help="spoofed sources (default: the target's /24)")
    p.add_argument("--exclude", action="append", default=[], help="an address never to spoof")
    p.add_argument("--count", type=int, default=20000)
    p.add_argument("--rate", type=int, default=10000)
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--delay", type=float, default=0.5)
    p.add_argument("--client-source", default=None, help="client i binds to this address + i")
    p.add_argument("--bytes", type=int, default=100)
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    if args.count < 0 or args.rate < 1 or args.clients < 0 or args.bytes < 1:
        p.error("count, clients >= 0; rate, bytes >= 1")

    rng = random.Random(args.seed)
    net = ipaddress.ip_network(args.spoof_net or (args.target + "/24"), strict=False)
    excluded = {ipaddress.ip_address(a) for a in args.exclude + [args.target]}
    if args.client_source:
        excluded |= {ipaddress.ip_address(args.client_source) + i for i in range(args.clients)}
    sources = [a for a in net.hosts() if a not in excluded]
    datagrams = []
    for i in range(args.count):
        sport = 1024 + (i // len(sources)) % 64000
        # The kernel fills in the IP checksum (and the id, left 0) of an IP_HDRINCL datagram.
        datagrams.append(datagram(str(sources[i % len(sources)]), args.target, sport, args.port, rng.getrandbits(32),
                                  0, SYN, window=64240, options=syn_options(rng.getrandbits(32)), ip_checksum=False))

    flood_result = {}
    flooder = threading.Thread(target=flood, args=(args, datagrams, flood_result))
    flooder.start()
    time.sleep(args.delay)
    results = [None] * args.clients
    threads = [threading.Thread(target=client, args=(args, i, results)) for i in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    flooder.join()
    json.dump({"flood": flood_result, "clients": results}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
