#!/usr/bin/env python3
"""The kernel's side of ServicesCrowdIT: thousands of TCP clients of Tern's services in one
process, with non-blocking sockets and a selector (no thread per client).

Driven by the test over stdin/stdout, one word a line:
  - it listens on CONTROL (HOST:PORT) and prints "listening"; Tern's first shell command
    (net:nc) connects there once its services listen, and this prints "ready";
  - "echo N": opens N connections to Tern's echo (a batch at a time, each handshake
    complete before the next batch), keeps them all open, sends each its own line, reads
    each line back and compares; prints "echo connected C failed F" and "echo served S of N";
  - "chargen N": opens N connections to chargen and never reads them; prints
    "chargen connected C failed F";
  - "release": closes the control connection, which ends net:nc so Tern's next commands run
    while every client is still open; prints "released";
  - end of input: closes everything and exits.
Every wait is bounded (--timeout seconds per step).
"""
import argparse
import errno
import resource
import selectors
import socket
import sys
import time


def say(*words):
    print(*words, flush=True)


def connect_all(target, port, count, batch, timeout):
    """Opens count connections, batch by batch; returns (connected sockets, failures)."""
    connected, failed = [], 0
    for start in range(0, count, batch):
        sel = selectors.DefaultSelector()
        for _ in range(min(batch, count - start)):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            code = s.connect_ex((target, port))
            if code not in (0, errno.EINPROGRESS):
                failed += 1
                s.close()
                continue
            sel.register(s, selectors.EVENT_WRITE)
        deadline = time.monotonic() + timeout
        while sel.get_map() and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=1.0):
                s = key.fileobj
                sel.unregister(s)
                if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                    connected.append(s)
                else:
                    failed += 1
                    s.close()
        for key in list(sel.get_map().values()):
            failed += 1
            key.fileobj.close()
        sel.close()
    return connected, failed


def line_for(i):
    return ("client %05d of the crowd, " % i).encode() + bytes(range(48, 48 + 40)) + b"\r\n"


def echo_round(socks, timeout):
    """Sends each socket its line and reads it back; returns how many came back intact."""
    sel = selectors.DefaultSelector()
    want = {}
    for i, s in enumerate(socks):
        data = line_for(i)
        s.send(data)  # one short line: it fits an empty send buffer whole
        want[s] = (data, bytearray())
        sel.register(s, selectors.EVENT_READ)
    served = 0
    deadline = time.monotonic() + timeout
    while sel.get_map() and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1.0):
            s = key.fileobj
            data, got = want[s]
            try:
                chunk = s.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            if not chunk:
                sel.unregister(s)  # closed by the service: not served
                continue
            got.extend(chunk)
            if len(got) >= len(data):
                sel.unregister(s)
                if bytes(got) == data:
                    served += 1
    sel.close()
    return served


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--target", required=True)
    p.add_argument("--control", required=True)
    p.add_argument("--echo-port", type=int, default=7)
    p.add_argument("--chargen-port", type=int, default=19)
    p.add_argument("--batch", type=int, default=200)
    p.add_argument("--timeout", type=float, default=120)
    a = p.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    host, port = a.control.rsplit(":", 1)
    control = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    control.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    control.bind((host, int(port)))
    control.listen(1)
    say("listening")
    control.settimeout(a.timeout)
    try:
        tern, _ = control.accept()
    except socket.timeout:
        say("error no control connection from tern within", a.timeout, "s")
        return 1
    say("ready")

    held = []
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "echo":
            socks, failed = connect_all(a.target, a.echo_port, int(words[1]), a.batch, a.timeout)
            held.extend(socks)
            say("echo connected", len(socks), "failed", failed)
            say("echo served", echo_round(socks, a.timeout), "of", words[1])
        elif words[0] == "chargen":
            socks, failed = connect_all(a.target, a.chargen_port, int(words[1]), a.batch, a.timeout)
            held.extend(socks)
            say("chargen connected", len(socks), "failed", failed)
        elif words[0] == "release":
            tern.close()
            say("released")
        else:
            say("error unknown step", words[0])
    for s in held:
        s.close()
    control.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
