#!/usr/bin/python3
"""What SO_ERROR reports on Linux after ICMP errors, for the socket layer's SO_ERROR to follow.

Run as root (needs ip): /usr/bin/python3 interop/linux-so-error.py
It builds three network namespaces (tse-PID-a, -r, -c; deleted afterwards): a client a
(10.77.1.2), a router r forwarding between 10.77.1.0/24 and 10.77.2.0/24, and a server c
(10.77.2.2) listening on port 9000. Then:

connect  a non-blocking connect to 10.77.9.9, which r routes `unreachable` (r answers the SYN
         with ICMP host unreachable): epoll's events, SO_ERROR twice, connect again;
soft     an established connection a -> c; r then routes 10.77.2.2/32 `unreachable`, a
         sends: the connection stays ESTABLISHED, SO_ERROR reports EHOSTUNREACH once (the
         soft error, sk_err_soft, read and cleared) and 0 after, recv still says EAGAIN;
timeout  the same with net.ipv4.tcp_retries2=2 in a: once the retransmissions give up,
         SO_ERROR three times; then again, but SO_ERROR read after the first ICMP error and r
         switched to `blackhole` (no more ICMP errors) before the timeout;
udp      a connected UDP socket to c's closed port and to 10.77.9.9: port unreachable is a
         hard error (SO_ERROR ECONNREFUSED), host unreachable without IP_RECVERR is ignored
         (SO_ERROR 0): UDP keeps no soft error.

Linux 6.18 gives:
  connect: after connect SYN_SENT, epoll after 0.000 s, state SYN_SENT, again EPOLLERR
  connect: first EINPROGRESS, events EPOLLERR, SO_ERROR EHOSTUNREACH then 0, connect again EALREADY
  soft: state ESTABLISHED, SO_ERROR EHOSTUNREACH then 0, recv EAGAIN
  timeout: state CLOSE, SO_ERROR EHOSTUNREACH then EHOSTUNREACH then 0
  timeout after SO_ERROR read (EHOSTUNREACH): state CLOSE, SO_ERROR ETIMEDOUT then 0 then 0
  udp: refused SO_ERROR ECONNREFUSED then 0; unreachable SO_ERROR 0
In "timeout" the soft error becomes the hard one (tcp_write_err: sk_err_soft ?: ETIMEDOUT) and
stays the soft one too, so SO_ERROR names it twice. In "connect" the ICMP error arrives while
connect() still holds the socket (veth answers at once): tcp_v4_err then keeps it as the soft
error and the connection in SYN-SENT; the kernel also queues it on the error queue (EPOLLERR,
without IP_RECVERR); SO_ERROR reads the soft error; the SYN sent again at 1 s draws another ICMP
error, which, the socket not held, ends the connection (CLOSE, SO_ERROR EHOSTUNREACH). An ICMP
error that finds the socket not held ends the handshake at once (bundles/tcp's IcmpErrorTest).
bundles/tcp's IcmpErrorTest follows the soft and timeout cases; bundles/udp's UdpIcmpErrorTest
the UDP one.
"""
import ctypes
import errno
import os
import select
import socket
import subprocess
import sys
import time
import traceback

TAG = "tse-%d" % os.getpid()
A, R, C = TAG + "-a", TAG + "-r", TAG + "-c"
CLONE_NEWNET = 0x40000000
TCP_STATES = {1: "ESTABLISHED", 2: "SYN_SENT", 7: "CLOSE"}


def sh(*args):
    subprocess.run(args, check=True)


def build():
    for ns in (A, R, C):
        sh("ip", "netns", "add", ns)
        sh("ip", "-n", ns, "link", "set", "lo", "up")
    sh("ip", "-n", A, "link", "add", "eth0", "type", "veth", "peer", "name", "ra", "netns", R)
    sh("ip", "-n", C, "link", "add", "eth0", "type", "veth", "peer", "name", "rc", "netns", R)
    for ns, dev, addr in ((A, "eth0", "10.77.1.2/24"), (R, "ra", "10.77.1.1/24"), (R, "rc", "10.77.2.1/24"),
                          (C, "eth0", "10.77.2.2/24")):
        sh("ip", "-n", ns, "addr", "add", addr, "dev", dev)
        sh("ip", "-n", ns, "link", "set", dev, "up")
    sh("ip", "-n", A, "route", "add", "default", "via", "10.77.1.1")
    sh("ip", "-n", C, "route", "add", "default", "via", "10.77.2.1")
    sh("ip", "netns", "exec", R, "sysctl", "-qw", "net.ipv4.ip_forward=1")
    # r's ICMP errors are not rate-limited (icmp_ratelimit 0), so every segment it cannot route draws one.
    sh("ip", "netns", "exec", R, "sysctl", "-qw", "net.ipv4.icmp_ratelimit=0")
    sh("ip", "-n", R, "route", "add", "unreachable", "10.77.9.9/32")


def teardown():
    for ns in (A, R, C):
        subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)


def enter(ns):
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    if ctypes.CDLL(None, use_errno=True).setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns " + ns)
    os.close(fd)


def name(code):
    return errno.errorcode.get(code, str(code)) if code else "0"


def so_error(s):
    return name(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))


def tcp_state(s):
    info = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
    return TCP_STATES.get(info[0], str(info[0]))


def events(mask):
    names = [n for n, v in (("EPOLLIN", select.EPOLLIN), ("EPOLLOUT", select.EPOLLOUT), ("EPOLLERR", select.EPOLLERR),
                            ("EPOLLHUP", select.EPOLLHUP)) if mask & v]
    return "|".join(names)


def connect_case():
    s = socket.socket()
    s.setblocking(False)
    rc = s.connect_ex(("10.77.9.9", 9000))
    start = time.time()
    state0 = tcp_state(s)
    ep = select.epoll()
    ep.register(s.fileno(), select.EPOLLOUT)
    ready = ep.poll(5)
    mask = ready[0][1] if ready else 0
    took = time.time() - start
    state1 = tcp_state(s)
    time.sleep(0.2)
    mask2 = ep.poll(0)
    print("connect: after connect %s, epoll after %.3f s, state %s, again %s" % (state0, took, state1, events(mask2[0][1]) if mask2 else "-"))
    first, second = so_error(s), so_error(s)
    again = name(s.connect_ex(("10.77.9.9", 9000)))
    print("connect: first %s, events %s, SO_ERROR %s then %s, connect again %s"
          % (name(rc), events(mask), first, second, again))


def listener():
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    return srv


def soft_case(retries2, read_first=False):
    # c's listener runs in a child process left in namespace c.
    pid = os.fork()
    if pid == 0:
        enter(C)
        srv = listener()
        srv.bind(("10.77.2.2", 9000))
        srv.listen(1)
        conn, _ = srv.accept()
        time.sleep(30)
        os._exit(0)
    enter(A)
    if retries2:
        sh("sysctl", "-qw", "net.ipv4.tcp_retries2=%d" % retries2)
    for _ in range(50):
        try:
            s = socket.create_connection(("10.77.2.2", 9000), timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    s.setblocking(False)
    sh("ip", "-n", R, "route", "add", "unreachable", "10.77.2.2/32")
    s.send(b"x" * 100)
    time.sleep(0.5)
    if not retries2:
        state = tcp_state(s)
        first, second = so_error(s), so_error(s)
        try:
            s.recv(10)
            rcv = "data"
        except OSError as e:
            rcv = name(e.errno)
        print("soft: state %s, SO_ERROR %s then %s, recv %s" % (state, first, second, rcv))
    else:
        if read_first:
            # SO_ERROR takes the soft error; r then drops silently, so no new ICMP error sets it again.
            taken = so_error(s)
            sh("ip", "-n", R, "route", "replace", "blackhole", "10.77.2.2/32")
        # tcp_retries2=2: gives up after the RTO has backed off twice (~1.4 s from 200 ms).
        deadline = time.time() + 20
        while time.time() < deadline and tcp_state(s) != "CLOSE":
            time.sleep(0.2)
        errors = " then ".join(so_error(s) for _ in range(3))
        if read_first:
            print("timeout after SO_ERROR read (%s): state %s, SO_ERROR %s" % (taken, tcp_state(s), errors))
        else:
            print("timeout: state %s, SO_ERROR %s" % (tcp_state(s), errors))
    sh("ip", "-n", R, "route", "del", "10.77.2.2/32")
    os.kill(pid, 9)
    os.waitpid(pid, 0)


def udp_case():
    enter(A)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.connect(("10.77.2.2", 9999))
    u.send(b"x")
    time.sleep(0.3)
    refused = (so_error(u), so_error(u))
    v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    v.connect(("10.77.9.9", 9999))
    v.send(b"x")
    time.sleep(0.3)
    print("udp: refused SO_ERROR %s then %s; unreachable SO_ERROR %s" % (refused[0], refused[1], so_error(v)))


def run(case, *args):
    # Each case in its own process, so setns never leaks from one into the next.
    pid = os.fork()
    if pid == 0:
        try:
            if case is connect_case:
                enter(A)
            case(*args)
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            os._exit(0)
    os.waitpid(pid, 0)


def main():
    try:
        build()
        only = sys.argv[1:]
        if not only or "connect" in only:
            run(connect_case)
        if not only or "soft" in only:
            run(soft_case, 0)
        if not only or "timeout" in only:
            run(soft_case, 2)
            run(soft_case, 2, True)
        if only and "udp" not in only:
            return
        run(udp_case)
    finally:
        teardown()


if __name__ == "__main__":
    main()
