"""IPv4/TCP datagrams built byte by byte, for the scripts that play a peer or an attacker."""
import socket
import struct

SYN, RST, ACK = 0x02, 0x04, 0x10


def checksum(data):
    """The Internet checksum (RFC 1071)."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def syn_options(tsval, tsecr=0, mss=1460, wscale=7):
    """Linux's SYN options: <mss, sackOK, TS val ecr, nop, wscale>, 20 bytes."""
    return struct.pack("!BBHBBBBIIBBBB", 2, 4, mss, 4, 2, 8, 10, tsval, tsecr, 1, 3, 3, wscale)


def timestamp_option(tsval, tsecr):
    """<nop, nop, TS val ecr>, 12 bytes."""
    return struct.pack("!BBBBII", 1, 1, 8, 10, tsval, tsecr)


def datagram(src, dst, sport, dport, seq, ack, flags, window=65535, options=b"", ip_checksum=True):
    """An IPv4 datagram (addresses as dotted strings) carrying one TCP segment with `options`.

    With ip_checksum False the IP header's checksum is left 0, as a raw IP_HDRINCL socket fills it.
    """
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    offset = (20 + len(options)) // 4
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, offset << 4, flags,
                      window, 0, 0) + options
    tcp = tcp[:16] + struct.pack("!H", checksum(struct.pack("!4s4sBBH", s, d, 0, 6, len(tcp)) + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, s, d)
    if ip_checksum:
        ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return ip + tcp
