#!/usr/bin/python3
"""Asks the running kernel how its packet sockets behave, for comparing Tern's AF_PACKET with
Linux's. Run inside a network namespace made for the purpose, with lo up and a veth pair
va/vb up.

Prints one "key value" line per fact: the packet types an ETH_P_ALL and an ETH_P_IP socket see
on lo for one UDP datagram, what a sender, a watcher and a PACKET_IGNORE_OUTGOING socket on va
see of a packet sent on va, PACKET_STATISTICS before and after a read, the SO_RCVBUF floor, and
the errnos of the calls a packet socket refuses.
"""
import socket
import struct
import subprocess

ETH_P_ALL, ETH_P_IP = 0x0003, 0x0800
SOL_PACKET, PACKET_STATISTICS, PACKET_IGNORE_OUTGOING = 263, 6, 23
IP = bytes([0x45, 0, 0, 40, 0, 9, 0, 0, 64, 17, 0, 0, 10, 1, 0, 1, 10, 1, 0, 2]) + bytes(20)


def errno_of(call):
    try:
        call()
        return 0
    except OSError as e:
        return e.errno


def pkttypes(sock, wanted=None):
    sock.settimeout(0.3)
    seen = []
    while True:
        try:
            data, address = sock.recvfrom(2048)
        except socket.timeout:
            return ",".join(seen) if seen else "-"
        if wanted is None or data[:len(wanted)] == wanted:
            seen.append(str(address[2]))


def stats(sock):
    return "%d/%d" % struct.unpack("II", sock.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8))


def packet_socket(protocol, device):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(protocol))
    s.bind((device, protocol))
    return s


def main():
    everything = packet_socket(ETH_P_ALL, "lo")
    ip_only = packet_socket(ETH_P_IP, "lo")
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.connect(("127.0.0.1", udp.getsockname()[1]))  # to itself: no ICMP error comes back
    udp.send(b"tern")
    print("lo_all_pkttypes", pkttypes(everything))
    print("lo_ip_pkttypes", pkttypes(ip_only))
    print("stats_first_read_drops", stats(everything).split("/")[1])
    print("stats_second_read", stats(everything))

    sender = packet_socket(ETH_P_ALL, "va")
    watcher = packet_socket(ETH_P_ALL, "va")
    ignoring = packet_socket(ETH_P_ALL, "va")
    ignoring.setsockopt(SOL_PACKET, PACKET_IGNORE_OUTGOING, 1)
    sender.sendto(IP, ("va", ETH_P_IP, 0, 0, b"\xff" * 6))
    print("va_sender_sees", pkttypes(sender, IP[:12]))
    print("va_watcher_sees", pkttypes(watcher, IP[:12]))
    print("va_ignoring_sees", pkttypes(ignoring, IP[:12]))

    small = packet_socket(ETH_P_IP, "lo")
    small.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 0)
    print("rcvbuf_floor", small.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))
    for _ in range(20):
        udp.send(b"x" * 40)
    packets, drops = struct.unpack("II", small.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8))
    print("small_buffer_drops_counted", "yes" if drops > 0 and packets == 20 else "no %d/%d" % (packets, drops))

    print("errno_stream", errno_of(lambda: socket.socket(socket.AF_PACKET, socket.SOCK_STREAM, 0)))
    unbound = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_ALL))
    print("errno_bind_no_such_link", errno_of(lambda: unbound.bind(("nosuch0", ETH_P_ALL))))
    print("errno_send_unbound", errno_of(lambda: unbound.send(IP)))
    print("errno_connect", errno_of(lambda: unbound.connect(("lo", 0))))
    print("errno_getpeername", errno_of(unbound.getpeername))
    print("errno_send_over_mtu", errno_of(lambda: sender.sendto(b"E" + bytes(1600), ("va", ETH_P_IP, 0, 0, b"\xff" * 6))))
    subprocess.run(["ip", "link", "set", "va", "down"], check=True)
    sender.settimeout(0.3)
    print("errno_recv_bound_link_down", errno_of(lambda: sender.recv(100)))
    print("errno_send_link_down", errno_of(lambda: watcher.sendto(IP, ("va", ETH_P_IP, 0, 0, b"\xff" * 6))))


main()
