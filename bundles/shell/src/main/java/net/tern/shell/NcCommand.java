package net.tern.shell;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.AF_INET6;
import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.SHUT_WR;
import static net.tern.api.socket.SocketConstants.SOCK_DGRAM;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_ERROR;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.RecvResult;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.SocketApi;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code net:nc}: a netcat client over the stack's sockets, for scripts that need Tern as
 * the client of a peer (the interop test's kernel server). TCP connects, sends the input
 * (TEXT, or the file of {@code -i}) while reading whatever comes back, sends its FIN when
 * the input is done ({@code nc -N}), and reads until the peer's FIN or {@code -c} bytes.
 * UDP ({@code -u}) connects, sends the input as one datagram and waits for one reply (an
 * ICMP port unreachable fails it with "Connection refused", as nc's next read does). {@code -z}
 * only connects, as {@code nc -z}. Received bytes go to the file of {@code -o}, or are
 * returned as text; either way a summary line gives the counts and the SHA-256 of what
 * was sent and received. Every wait is bounded by {@code -w} seconds without progress
 * (default 10).
 */
@Component(service = NcCommand.class, property = {
        "osgi.command.scope=net",
        "osgi.command.function=nc"})
public final class NcCommand {
    static final String USAGE = String.join("\n",
            "usage: net:nc [-u] [-z] [-w SECONDS] [-i FILE] [-o FILE] [-c BYTES] HOST PORT [TEXT...]",
            "  -u          UDP: send one datagram, print the one reply",
            "  -z          only connect (TCP), then close",
            "  -w SECONDS  give up after this long without progress (default 10)",
            "  -i FILE     send the contents of FILE (else TEXT, joined by spaces; else nothing)",
            "  -o FILE     write what is received to FILE (else print it)",
            "  -c BYTES    stop reading after this many bytes (a chargen, say) and close",
            "HOST is an IPv4 address, or an IPv6 one (it has colons: AF_INET6 sockets)");
    /** Printed output is capped; larger transfers belong in {@code -o}. */
    static final int MAX_PRINTED = 1 << 20;

    private final SocketApi sockets;

    @Activate
    public NcCommand(@Reference(name = "sockets") SocketApi sockets) {
        this.sockets = sockets;
    }

    private record Options(boolean udp, boolean zero, int waitMillis, Path in, Path out, long limit, String address,
            int port, String text) {
    }

    public String nc(String... args) {
        Options o = parse(args == null ? new String[0] : args);
        if (o == null) {
            return USAGE;
        }
        try {
            return o.udp() ? udp(o) : tcp(o);
        } catch (ErrnoException e) {
            throw new CommandFailedException("nc: connect to " + o.address() + " port "
                    + o.port() + " (" + (o.udp() ? "udp" : "tcp") + ") failed: " + e.errno().text(), e);
        } catch (IOException e) {
            throw new CommandFailedException("nc: " + e.getMessage(), e);
        }
    }

    private static Options parse(String[] args) {
        boolean udp = false;
        boolean zero = false;
        int wait = 10_000;
        Path in = null;
        Path out = null;
        long limit = -1;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!rest.isEmpty() || !a.startsWith("-") || a.length() == 1) {
                rest.add(a);
                continue;
            }
            switch (a) {
                case "-u" -> udp = true;
                case "-z" -> zero = true;
                case "-h", "--help" -> {
                    return null;
                }
                case "-w", "-i", "-o", "-c" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("nc: option requires an argument -- '" + a.substring(1)
                                + "'\n" + USAGE);
                    }
                    String v = args[++i];
                    switch (a) {
                        case "-w" -> wait = (int) (positive(v, "timeout") * 1000);
                        case "-i" -> in = Path.of(v);
                        case "-o" -> out = Path.of(v);
                        default -> limit = positive(v, "byte count");
                    }
                }
                default -> throw new IllegalArgumentException("nc: invalid option -- '" + a + "'\n" + USAGE);
            }
        }
        if (rest.size() < 2) {
            throw new IllegalArgumentException("nc: HOST and PORT are required\n" + USAGE);
        }
        String address = rest.get(0);
        try {
            peer(address, 0);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("nc: getaddrinfo for host \"" + rest.get(0)
                    + "\": Name or service not known");
        }
        long port = positive(rest.get(1), "port");
        if (port > 65535) {
            throw new IllegalArgumentException("nc: port number invalid: " + rest.get(1));
        }
        String text = rest.size() > 2 ? String.join(" ", rest.subList(2, rest.size())) : null;
        if (text != null && in != null) {
            throw new IllegalArgumentException("nc: give either -i FILE or TEXT, not both");
        }
        return new Options(udp, zero, wait, in, out, limit, address, (int) port, text);
    }

    /** An IPv6 address has a colon (then AF_INET6 sockets), an IPv4 one dots. */
    private static boolean isIpv6(String address) {
        return address.indexOf(':') >= 0;
    }

    private static int family(Options o) {
        return isIpv6(o.address()) ? AF_INET6 : AF_INET;
    }

    /** The peer {@code address} names, of its family; IllegalArgumentException when it names none. */
    private static SockAddr peer(String address, int port) {
        if (isIpv6(address)) {
            long[] a = Inet6SockAddr.parseAddress(address);
            return new Inet6SockAddr(a[0], a[1], port);
        }
        return new InetSockAddr(InetSockAddr.parseAddress(address), port);
    }

    private static long positive(String v, String what) {
        try {
            long n = Long.parseLong(v);
            if (n <= 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("nc: invalid " + what + ": " + v);
        }
    }

    private InputStream input(Options o) throws IOException {
        if (o.in() != null) {
            return Files.newInputStream(o.in());
        }
        return new ByteArrayInputStream(o.text() == null ? new byte[0] : o.text().getBytes(StandardCharsets.UTF_8));
    }

    private String tcp(Options o) throws ErrnoException, IOException {
        int fd = sockets.socket(family(o), SOCK_STREAM | SOCK_NONBLOCK, 0);
        try {
            connect(fd, o);
            if (o.zero()) {
                return "Connection to " + o.address() + " " + o.port()
                        + " port [tcp/*] succeeded!";
            }
            return transfer(fd, o);
        } finally {
            sockets.close(fd);
        }
    }

    private void connect(int fd, Options o) throws ErrnoException {
        try {
            sockets.connect(fd, peer(o.address(), o.port()));
            return;
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EINPROGRESS) {
                throw e;
            }
        }
        if (sockets.poll(fd, EPOLLOUT, o.waitMillis()) == 0) {
            throw new ErrnoException(Errno.ETIMEDOUT, "connect timed out");
        }
        int error = sockets.getsockopt(fd, SOL_SOCKET, SO_ERROR);
        if (error != 0) {
            throw new ErrnoException(Errno.ofNumber(error), "connect");
        }
    }

    /** Sends the input and reads the answer at once, so a peer that echoes never stalls us. */
    private String transfer(int fd, Options o) throws ErrnoException, IOException {
        MessageDigest sentDigest = sha256();
        MessageDigest receivedDigest = sha256();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        long sent = 0;
        long received = 0;
        boolean inputDone = false;
        boolean peerDone = false;
        ByteBuffer outBuf = ByteBuffer.allocate(64 * 1024).flip();
        ByteBuffer inBuf = ByteBuffer.allocate(64 * 1024);
        try (InputStream in = input(o); OutputStream file = o.out() == null ? null : Files.newOutputStream(o.out())) {
            while (!peerDone && (o.limit() < 0 || received < o.limit())) {
                if (!inputDone && !outBuf.hasRemaining()) {
                    outBuf.clear();
                    int n = in.read(outBuf.array(), 0, outBuf.capacity());
                    if (n < 0) {
                        inputDone = true;
                        sockets.shutdown(fd, SHUT_WR);
                        outBuf.limit(0);
                    } else {
                        outBuf.limit(n);
                    }
                }
                int interest = EPOLLIN | (outBuf.hasRemaining() ? EPOLLOUT : 0);
                int ready = sockets.poll(fd, interest, o.waitMillis());
                if (ready == 0) {
                    throw new IOException("timed out after " + o.waitMillis() / 1000 + " s without progress ("
                            + sent + " bytes sent, " + received + " received)");
                }
                if ((ready & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) {
                    inBuf.clear();
                    if (o.limit() >= 0) {
                        inBuf.limit((int) Math.min(inBuf.capacity(), o.limit() - received));
                    }
                    int n = recv(fd, inBuf);
                    if (n < 0) {
                        peerDone = true;
                    } else if (n > 0) {
                        received += n;
                        receivedDigest.update(inBuf.array(), 0, n);
                        if (file != null) {
                            file.write(inBuf.array(), 0, n);
                        } else if (printed.size() + n <= MAX_PRINTED) {
                            printed.write(inBuf.array(), 0, n);
                        }
                    }
                }
                if ((ready & EPOLLOUT) != 0 && outBuf.hasRemaining()) {
                    int before = outBuf.position();
                    send(fd, outBuf);
                    sentDigest.update(outBuf.array(), before, outBuf.position() - before);
                    sent += outBuf.position() - before;
                }
            }
        }
        String summary = "sent " + sent + " bytes sha256 " + hex(sentDigest) + ", received " + received
                + " bytes sha256 " + hex(receivedDigest);
        if (o.out() != null) {
            return summary;
        }
        return printed.toString(StandardCharsets.UTF_8) + (received > MAX_PRINTED ? "\n(output cut)" : "");
    }

    private int recv(int fd, ByteBuffer dst) throws ErrnoException {
        try {
            int n = sockets.recv(fd, dst, 0);
            return n == 0 && dst.limit() > 0 ? -1 : n;
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EAGAIN) {
                return 0;
            }
            throw e;
        }
    }

    private void send(int fd, ByteBuffer src) throws ErrnoException {
        try {
            sockets.send(fd, src, 0);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EAGAIN) {
                throw e;
            }
        }
    }

    private String udp(Options o) throws ErrnoException, IOException {
        byte[] payload;
        try (InputStream in = input(o)) {
            payload = in.readAllBytes();
        }
        int fd = sockets.socket(family(o), SOCK_DGRAM, 0);
        try {
            // Connected, as nc does: an ICMP port unreachable then fails the receive with ECONNREFUSED.
            SockAddr peer = peer(o.address(), o.port());
            sockets.connect(fd, peer);
            sockets.send(fd, ByteBuffer.wrap(payload), 0);
            if (sockets.poll(fd, EPOLLIN, o.waitMillis()) == 0) {
                throw new IOException("no reply from " + peer + " within " + o.waitMillis() / 1000 + " s");
            }
            ByteBuffer buf = ByteBuffer.allocate(65536);
            RecvResult r = sockets.recvfrom(fd, buf, 0);
            if (o.out() != null) {
                Files.write(o.out(), java.util.Arrays.copyOf(buf.array(), r.bytes()));
                return "received " + r.bytes() + " bytes from " + r.from();
            }
            return new String(buf.array(), 0, r.bytes(), StandardCharsets.UTF_8);
        } finally {
            sockets.close(fd);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    private static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }
}
