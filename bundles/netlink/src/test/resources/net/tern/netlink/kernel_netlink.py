#!/usr/bin/python3
"""Sends netlink requests to the running kernel and prints its answers, for comparing the
stack's netlink replies with Linux's. Run inside a network namespace made for the purpose.

usage: kernel_netlink.py PROTOCOL SOCKETS REQUEST_HEX...
  PROTOCOL  the netlink protocol (0 NETLINK_ROUTE, 4 NETLINK_SOCK_DIAG)
  SOCKETS   "sockets" to open, before the requests, the sockets the comparison dumps:
            UDP bound to 0.0.0.0:5353, UDP 127.0.0.1:33000 connected to 127.0.0.1:53,
            a TCP listener on 127.0.0.1:7171 and a connection to it; "-" for none
  REQUEST_HEX  each request's bytes, as hexadecimal

For each request it prints the line "REQUEST", then each datagram of the answer as one line
of hexadecimal, up to the one holding NLMSG_DONE or NLMSG_ERROR for the request (so a request
that is not a dump must ask for an acknowledgement, NLM_F_ACK).
"""
import socket
import struct
import sys

NLMSG_ERROR, NLMSG_DONE = 2, 3


def main():
    protocol = int(sys.argv[1])
    keep = []
    if sys.argv[2] == "sockets":
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("0.0.0.0", 5353))
        connected = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        connected.bind(("127.0.0.1", 33000))
        connected.connect(("127.0.0.1", 53))
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 7171))
        listener.listen(8)
        client = socket.create_connection(("127.0.0.1", 7171))
        server, _ = listener.accept()
        keep = [udp, connected, listener, client, server]
    nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, protocol)
    nl.bind((0, 0))
    for request in sys.argv[3:]:
        data = bytes.fromhex(request)
        seq = struct.unpack_from("<I", data, 8)[0]
        nl.send(data)
        print("REQUEST")
        finished = False
        while not finished:
            datagram = nl.recv(1 << 20)
            print(datagram.hex())
            offset = 0
            while offset + 16 <= len(datagram):
                length, kind = struct.unpack_from("<IH", datagram, offset)
                (answer_seq,) = struct.unpack_from("<I", datagram, offset + 8)
                if kind in (NLMSG_DONE, NLMSG_ERROR) and answer_seq == seq:
                    finished = True
                if length < 16:
                    break
                offset += (length + 3) & ~3
    sys.stdout.flush()
    for s in keep:
        s.close()


if __name__ == "__main__":
    main()
