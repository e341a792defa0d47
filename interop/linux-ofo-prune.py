#!/usr/bin/python3
"""How Linux counts out-of-order data it has no memory for, for TCP's memory tests to follow.

Run as root (needs ip, nstat, python3-scapy): /usr/bin/python3 interop/linux-ofo-prune.py
For each order it creates a network namespace (tmem-PID-ORDER, deleted afterwards), turns
timestamps off there, and has a kernel client connect to a kernel server on 127.0.0.1:9000
whose SO_RCVBUF is 4096. The client never sends; scapy sends the client's data instead: 200
one-byte segments at odd offsets 1..399 after the client's ISN, so byte 0 (rcv_nxt) stays a
hole. "asc" sends them in ascending order (each lands after everything held), "desc" in
descending order (each lands before everything held). It prints the TcpExt counters of the
namespace and how many segments the server sent.

Linux 6.18 gives: asc PruneCalled 190, RcvPruned 190, TCPOFODrop 190, OfoPruned 0,
TCPOFOQueue 10, TcpOutSegs 13 (dropped segments are not answered); desc PruneCalled 95,
OfoPruned 95, RcvPruned 0, TCPOFODrop 0, TCPOFOQueue 200, TcpOutSegs 203 (pruning drops the
far skbs and every segment is queued and answered); TCPRcvCollapsed 0 in both. bundles/tcp's TcpMemoryTest follows it.
"""
import os
import socket
import subprocess
import sys
import threading
import time

COUNTERS = ("TcpExtPruneCalled", "TcpExtOfoPruned", "TcpExtRcvPruned", "TcpExtTCPOFODrop", "TcpExtTCPOFOQueue",
            "TcpExtTCPRcvCollapsed", "TcpOutSegs")


def inside(order):
    from scapy.all import IP, TCP, Raw, send, sniff, conf
    from scapy.supersocket import L3RawSocket
    conf.verb = 0
    conf.L3socket = L3RawSocket  # raw IP sockets: what scapy sends on lo then reaches TCP
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    srv.bind(("127.0.0.1", 9000))
    srv.listen(1)
    seen = {}

    def handshake(x):
        if x[TCP].flags == "S":
            seen["cisn"], seen["cport"] = x[TCP].seq, x[TCP].sport
        elif x[TCP].flags == "SA":
            seen["sisn"] = x[TCP].seq
        return "cisn" in seen and "sisn" in seen

    sniffer = threading.Thread(target=lambda: sniff(iface="lo", filter="tcp port 9000 and tcp[tcpflags] & tcp-syn != 0",
                                                    stop_filter=handshake, timeout=5))
    sniffer.start()
    time.sleep(0.5)
    client = socket.create_connection(("127.0.0.1", 9000))
    conn, _ = srv.accept()
    sniffer.join()
    subprocess.run(["nstat", "-n"], check=True)
    offsets = [1 + 2 * i for i in range(200)]
    if order == "desc":
        offsets.reverse()
    send([IP(src="127.0.0.1", dst="127.0.0.1")
          / TCP(sport=seen["cport"], dport=9000, flags="A", seq=(seen["cisn"] + 1 + o) & 0xffffffff,
                ack=(seen["sisn"] + 1) & 0xffffffff, window=65535) / Raw(b"x") for o in offsets])
    time.sleep(0.5)
    counters = subprocess.run(["nstat", "-az"], capture_output=True, text=True, check=True).stdout
    values = {line.split()[0]: line.split()[1] for line in counters.splitlines() if line and not line.startswith("#")}
    print(order, "SO_RCVBUF", conn.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF),
          " ".join(f"{name}={values.get(name, '0')}" for name in COUNTERS))
    client.close()
    conn.close()


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--inside":
        inside(sys.argv[2])
        return
    for order in ("asc", "desc"):
        ns = f"tmem-{os.getpid()}-{order}"
        subprocess.run(["ip", "netns", "add", ns], check=True)
        try:
            subprocess.run(["ip", "-n", ns, "link", "set", "lo", "up"], check=True)
            subprocess.run(["ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.tcp_timestamps=0"], check=True)
            subprocess.run(["ip", "netns", "exec", ns, sys.executable, __file__, "--inside", order], check=True,
                           timeout=60)
        finally:
            subprocess.run(["ip", "netns", "del", ns])


if __name__ == "__main__":
    main()
