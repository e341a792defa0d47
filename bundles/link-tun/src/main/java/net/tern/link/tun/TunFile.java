package net.tern.link.tun;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open TUN file descriptor, plus the pipe that wakes its reader. One {@code read} returns
 * one whole packet and one {@code write} sends one, as {@code tun_chr_read_iter} and
 * {@code tun_chr_write_iter} do.
 *
 * <p>The descriptor is only closed while no call uses it: reads, writes and polls hold the
 * read side of a lock and {@link #close} takes the write side, so a descriptor number that
 * the kernel hands out again after close can never receive a packet meant for the TUN.
 */
final class TunFile {
    private static final Logger LOG = LoggerFactory.getLogger(TunFile.class);

    /** {@code _IOW('T', 202, int)} from {@code include/uapi/linux/if_tun.h}. */
    static final long TUNSETIFF = 0x400454caL;
    /** TUN (layer 3) rather than TAP: packets are IP datagrams, no Ethernet header. */
    static final int IFF_TUN = 0x0001;
    /** No 4-byte {@code struct tun_pi} in front of each packet. */
    static final int IFF_NO_PI = 0x1000;
    /** Each packet read or written carries a {@code struct virtio_net_hdr} in front ({@link VirtioNetHdr}). */
    static final int IFF_VNET_HDR = 0x4000;
    /** Several files (queues) on one interface, each with its own packets ({@code tun_attach}). */
    static final int IFF_MULTI_QUEUE = 0x0100;
    /** {@code _IOW('T', 208, unsigned int)}: what the reader takes, passed by value ({@code TUN_F_*}). */
    static final long TUNSETOFFLOAD = 0x400454d0L;
    /** {@code _IOW('T', 216, int)}: the size of the virtio-net header, passed by pointer. */
    static final long TUNSETVNETHDRSZ = 0x400454d8L;
    /** {@code TUN_F_CSUM}: the reader takes packets with a partial checksum (NEEDS_CSUM). */
    static final int TUN_F_CSUM = 0x01;
    /** {@code TUN_F_TSO4}: the reader takes TCP over IPv4 packets of several segments. */
    static final int TUN_F_TSO4 = 0x02;
    /** {@code TUN_F_TSO6}: the reader takes TCP over IPv6 packets of several segments. */
    static final int TUN_F_TSO6 = 0x04;
    /**
     * The offloads asked for, most first: the kernel refuses flags it does not know with
     * EINVAL, and the next set is tried; none at all is the last resort.
     */
    static final int[] OFFLOAD_CHOICES = {TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6, TUN_F_CSUM | TUN_F_TSO4, TUN_F_CSUM, 0};
    static final long SIOCGIFMTU = 0x8921L;
    static final long SIOCSIFMTU = 0x8922L;

    private final String name;
    private final int fd;
    private final int wakeRead;
    private final int wakeWrite;
    /** Whether a virtio-net header comes with each packet ({@code IFF_VNET_HDR}). */
    private final boolean vnetHdr;
    /** The {@code TUN_F_*} offloads the kernel accepted. */
    private final int offloads;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean closed;
    /** Set under the write lock once the descriptors are closed, so they are closed once only. */
    private volatile boolean released;

    /** {@link #read} and {@link #poll}: the file is closed. */
    static final int CLOSED = -1;
    /** {@link #read}: nothing to read now (EAGAIN, EINTR). */
    static final int AGAIN = -2;

    /**
     * Wraps {@code fd}, a descriptor that reads and writes whole packets (a TUN file, or a
     * {@code SOCK_SEQPACKET} socket in tests), and makes the wake pipe.
     */
    TunFile(String name, int fd) throws ErrnoException {
        this(name, fd, false, 0);
    }

    /** As {@link #TunFile(String, int)}, for a file opened with {@code IFF_VNET_HDR} and {@code offloads}. */
    TunFile(String name, int fd, boolean vnetHdr, int offloads) throws ErrnoException {
        this.name = name;
        this.fd = fd;
        this.vnetHdr = vnetHdr;
        this.offloads = offloads;
        int[] pipe = new int[2];
        try {
            LibC.get().pipe2(pipe, LibC.O_CLOEXEC | LibC.O_NONBLOCK);
        } catch (LastErrorException e) {
            throw TunErrors.other("pipe2(" + name + " reader wake-up)", e.getErrorCode());
        }
        this.wakeRead = pipe[0];
        this.wakeWrite = pipe[1];
    }

    /**
     * Opens {@code settings.devicePath()}, attaches to or creates TUN interface
     * {@code settings.name()} with {@code IFF_TUN | IFF_NO_PI}, and sets the kernel side's MTU
     * to the configured one; all inside {@code settings.netns()} when one is given. One queue:
     * {@link #openQueues} for more.
     */
    static TunFile open(TunSettings settings) throws ErrnoException {
        return openQueues(settings, 1).get(0);
    }

    /**
     * As {@link #open}, with up to {@code queues} queues: the first file attaches with
     * {@code IFF_MULTI_QUEUE}, and each further one is opened and attached to the same
     * interface with the same flags ({@code tun_set_iff} → {@code tun_attach}). Fewer come back
     * when the kernel or the interface refuses: a kernel without multi-queue TUN, or a
     * persistent single-queue interface (both EINVAL), gets one file without the flag; a queue
     * refused after the first ({@code MAX_TAP_QUEUES}, memory) ends the list there.
     */
    static List<TunFile> openQueues(TunSettings settings, int queues) throws ErrnoException {
        return NetNamespace.call(settings.netns(), () -> openQueuesHere(settings, loadLibC(settings), queues));
    }

    /**
     * The opening itself, through {@code libc}: the real C library in the stack; in tests one
     * whose {@code open} or {@code ioctl} fails as the kernel would without privileges.
     */
    static TunFile openHere(TunSettings settings, LibC libc) throws ErrnoException {
        return openQueuesHere(settings, libc, 1).get(0);
    }

    static List<TunFile> openQueuesHere(TunSettings settings, LibC libc, int queues) throws ErrnoException {
        String path = settings.devicePath();
        int fd = openClone(libc, path);
        int flags;
        int offloads;
        try {
            flags = setIff(libc, fd, settings, queues > 1);
            offloads = (flags & IFF_VNET_HDR) != 0 ? setOffload(libc, fd, settings.name()) : 0;
            setKernelMtu(libc, settings);
        } catch (ErrnoException | RuntimeException e) {
            closeQuietly(libc, fd);
            throw e;
        }
        boolean vnetHdr = (flags & IFF_VNET_HDR) != 0;
        List<TunFile> files = new ArrayList<>();
        try {
            files.add(new TunFile(settings.name(), fd, vnetHdr, offloads));
            if ((flags & IFF_MULTI_QUEUE) != 0) {
                for (int i = 1; i < queues; i++) {
                    int next = attachQueue(libc, path, settings.name(), flags, i);
                    if (next < 0) {
                        break;
                    }
                    files.add(new TunFile(settings.name(), next, vnetHdr, offloads));
                }
            }
        } catch (ErrnoException | RuntimeException e) {
            for (TunFile file : files) {
                file.close(0);
            }
            if (files.isEmpty()) {
                closeQuietly(libc, fd);
            }
            throw e;
        }
        LOG.info("{}: attached to TUN interface {} through {}{}{}, {} {}", settings.name(), settings.name(), path,
                settings.netns().isEmpty() ? "" : " in network namespace " + settings.netns(),
                vnetHdr ? ", virtio-net headers, offloads 0x" + Integer.toHexString(offloads) : ", no offload",
                files.size(), files.size() == 1 ? "queue" : "queues (IFF_MULTI_QUEUE)");
        if (files.size() < queues) {
            LOG.warn("{}: {} TUN queues asked for, {} opened", settings.name(), queues, files.size());
        }
        return files;
    }

    private static int openClone(LibC libc, String path) throws ErrnoException {
        try {
            return libc.open(path, LibC.O_RDWR | LibC.O_CLOEXEC | LibC.O_NONBLOCK);
        } catch (LastErrorException e) {
            throw TunErrors.openFailed(path, e.getErrorCode());
        }
    }

    /**
     * One more queue of the interface the first file made multi-queue: a new file attached with
     * the first one's {@code flags} (the kernel refuses other flags on a queue of it). Returns
     * its descriptor, or -1 when the kernel refuses the queue (logged).
     */
    private static int attachQueue(LibC libc, String path, String name, int flags, int queue) throws ErrnoException {
        int fd = openClone(libc, path);
        try {
            libc.ioctl(fd, new NativeLong(TUNSETIFF), Ifreq.named(name).flags(flags).array());
            return fd;
        } catch (LastErrorException e) {
            closeQuietly(libc, fd);
            LOG.warn("{}: the kernel refuses TUN queue {} (errno {}); going on with {}", name, queue, e.getErrorCode(),
                    queue);
            return -1;
        }
    }

    /**
     * {@code TUNSETIFF} with {@code IFF_TUN | IFF_NO_PI}, {@code IFF_VNET_HDR} when offload is
     * configured and {@code IFF_MULTI_QUEUE} when {@code multiQueue}; returns the flags the
     * kernel took. EINVAL tries the next set: first without or with {@code IFF_MULTI_QUEUE}
     * the other way round (an existing persistent interface must be attached as it was made;
     * an old kernel knows no multi-queue), then without the header (a kernel that refuses it),
     * the interface then running without offload. Any other refusal, or EINVAL to every set,
     * fails the open.
     */
    private static int setIff(LibC libc, int fd, TunSettings settings, boolean multiQueue) throws ErrnoException {
        int base = IFF_TUN | IFF_NO_PI;
        int mq = multiQueue ? IFF_MULTI_QUEUE : 0;
        int[] choices = settings.offload()
                ? new int[] {base | IFF_VNET_HDR | mq, base | IFF_VNET_HDR | (mq ^ IFF_MULTI_QUEUE), base | mq,
                        base | (mq ^ IFF_MULTI_QUEUE)}
                : new int[] {base | mq, base | (mq ^ IFF_MULTI_QUEUE)};
        int errno = 0;
        for (int flags : choices) {
            try {
                libc.ioctl(fd, new NativeLong(TUNSETIFF), Ifreq.named(settings.name()).flags(flags).array());
                if (settings.offload() && (flags & IFF_VNET_HDR) == 0) {
                    LOG.warn("{}: the kernel refuses IFF_VNET_HDR; the TUN runs without offload", settings.name());
                }
                if ((flags & IFF_MULTI_QUEUE) != mq) {
                    LOG.info("{}: TUNSETIFF refused {} IFF_MULTI_QUEUE (EINVAL); attached {} it", settings.name(),
                            multiQueue ? "with" : "without", multiQueue ? "without" : "with");
                }
                return flags;
            } catch (LastErrorException e) {
                errno = e.getErrorCode();
                if (errno != Errno.EINVAL.number()) {
                    break;
                }
            }
        }
        throw TunErrors.setIffFailed(settings.name(), errno);
    }

    /**
     * {@code TUNSETVNETHDRSZ} to {@link VirtioNetHdr#SIZE} (the default, set so that it is
     * certain), then {@code TUNSETOFFLOAD} with the first of {@link #OFFLOAD_CHOICES} the kernel
     * accepts. Returns the offloads set; 0 when it accepts none, which leaves the header on
     * (the kernel still takes large packets and partial checksums from the stack, and sends
     * only wire-sized, checksummed ones).
     */
    private static int setOffload(LibC libc, int fd, String name) {
        try {
            ByteBuffer size = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.nativeOrder()).putInt(0, VirtioNetHdr.SIZE);
            libc.ioctl(fd, new NativeLong(TUNSETVNETHDRSZ), size.array());
        } catch (LastErrorException e) {
            LOG.warn("{}: TUNSETVNETHDRSZ failed with errno {}; the kernel's default header size stays", name,
                    e.getErrorCode());
        }
        for (int choice : OFFLOAD_CHOICES) {
            try {
                libc.ioctl(fd, new NativeLong(TUNSETOFFLOAD), new NativeLong(choice));
                return choice;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINVAL.number()) {
                    LOG.warn("{}: TUNSETOFFLOAD failed with errno {}; the kernel sends no offloaded packets", name,
                            e.getErrorCode());
                    return 0;
                }
                LOG.info("{}: the kernel refuses offloads 0x{}; trying fewer", name, Integer.toHexString(choice));
            }
        }
        return 0;
    }

    private static LibC loadLibC(TunSettings settings) throws ErrnoException {
        try {
            return LibC.get();
        } catch (LinkageError e) {
            throw new ErrnoException(Errno.ENOSYS, "open(" + settings.devicePath()
                    + "): JNA cannot reach libc on this platform: " + e.getMessage(), e);
        }
    }

    /**
     * {@code SIOCSIFMTU} on the kernel's side of the link, so the kernel sends nothing larger
     * than the stack reads. It needs CAP_NET_ADMIN; without it (an interface handed to an
     * unprivileged user) the interface keeps its MTU and a warning says so.
     */
    private static void setKernelMtu(LibC libc, TunSettings settings) {
        int sock;
        try {
            sock = libc.socket(LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        } catch (LastErrorException e) {
            LOG.warn("{}: cannot open a socket to set the MTU (errno {})", settings.name(), e.getErrorCode());
            return;
        }
        try {
            Ifreq current = Ifreq.named(settings.name());
            libc.ioctl(sock, new NativeLong(SIOCGIFMTU), current.array());
            if (current.mtu() != settings.mtu()) {
                libc.ioctl(sock, new NativeLong(SIOCSIFMTU), Ifreq.named(settings.name()).mtu(settings.mtu()).array());
                LOG.info("{}: kernel MTU set from {} to {}", settings.name(), current.mtu(), settings.mtu());
            }
        } catch (LastErrorException e) {
            LOG.warn("{}: could not set the kernel's MTU to {} (errno {}); packets it sends may be longer",
                    settings.name(), settings.mtu(), e.getErrorCode());
        } finally {
            closeQuietly(libc, sock);
        }
    }

    String name() {
        return name;
    }

    /** Whether each packet read and written carries a {@link VirtioNetHdr} in front. */
    boolean vnetHdr() {
        return vnetHdr;
    }

    /** The {@code TUN_F_*} offloads the kernel accepted: what it may hand the reader. */
    int offloads() {
        return offloads;
    }

    boolean isClosed() {
        return closed;
    }

    /** Waits up to {@code timeoutMillis} for a packet or a wake-up; 0 on timeout, {@link #CLOSED} once closed. */
    int poll(PollSet set, int timeoutMillis) {
        lock.readLock().lock();
        try {
            if (closed) {
                return CLOSED;
            }
            return set.poll(LibC.get(), timeoutMillis);
        } finally {
            lock.readLock().unlock();
        }
    }

    PollSet pollSet() {
        return new PollSet(fd, wakeRead);
    }

    /**
     * Reads one packet into {@code buf}'s writable bytes, advancing its writer index by what
     * fits. Returns the packet's length as the kernel reports it, which exceeds what was
     * written when the packet did not fit; 0 at end of file (the peer of a socket pair
     * closed), {@link #AGAIN} when there is nothing to read now, {@link #CLOSED} once closed.
     * A direct buffer is read into in place, through {@link DirectLibC} where it is bound, so
     * the call allocates nothing; a heap buffer through a copy.
     *
     * @throws LastErrorException for a read that failed (the interface gone: EBADFD, EIO)
     */
    int read(ByteBuf buf) {
        return read(buf, false);
    }

    /**
     * As {@link #read(ByteBuf)}, where {@code quiet} a failed read (EAGAIN at the end of a
     * batch, but any failure) returns {@link #AGAIN} without throwing or allocating: for reads
     * after the first of a wake-up. A real failure then shows at the next {@code poll}.
     */
    int read(ByteBuf buf, boolean quiet) {
        int room = buf.writableBytes();
        int n;
        if (buf.hasMemoryAddress()) {
            n = read(buf.memoryAddress() + buf.writerIndex(), room, quiet);
            if (n > 0) {
                buf.writerIndex(buf.writerIndex() + Math.min(n, room));
            }
        } else {
            try (Memory copy = new Memory(Math.max(room, 1))) {
                n = read(Pointer.nativeValue(copy), room, quiet);
                if (n > 0) {
                    buf.writeBytes(copy.getByteArray(0, Math.min(n, room)));
                }
            }
        }
        return n;
    }

    /**
     * Reads one packet into the {@code room} bytes of native memory at {@code address}, with
     * {@link #read(ByteBuf)}'s results: to drop a packet there is no buffer for, a scratch
     * area takes it off the file.
     */
    int read(long address, int room) {
        return read(address, room, false);
    }

    private int read(long address, int room, boolean quiet) {
        lock.readLock().lock();
        try {
            if (closed) {
                return CLOSED;
            }
            if (quiet && DirectLibC.AVAILABLE) {
                int n = (int) DirectLibC.Quiet.read(fd, address, room);
                return n < 0 ? AGAIN : n;
            }
            try {
                if (DirectLibC.AVAILABLE) {
                    return (int) DirectLibC.read(fd, address, room);
                }
                return (int) LibC.get().read(fd, new Pointer(address), new NativeLong(room)).longValue();
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Errno.EAGAIN.number() || e.getErrorCode() == Errno.EINTR.number()) {
                    return AGAIN;
                }
                throw e;
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Writes {@code buf}'s readable bytes as one packet. Returns false once closed.
     *
     * @throws LastErrorException for a write the kernel refused
     */
    boolean write(ByteBuf buf) {
        lock.readLock().lock();
        try {
            if (closed) {
                return false;
            }
            int length = buf.readableBytes();
            if (buf.hasMemoryAddress() && DirectLibC.AVAILABLE) {
                DirectLibC.write(fd, buf.memoryAddress() + buf.readerIndex(), length);
            } else if (buf.hasMemoryAddress()) {
                LibC.get().write(fd, new Pointer(buf.memoryAddress() + buf.readerIndex()), new NativeLong(length));
            } else {
                byte[] copy = new byte[length];
                buf.getBytes(buf.readerIndex(), copy);
                LibC.get().write(fd, copy, new NativeLong(length));
            }
            return true;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Wakes a reader blocked in {@link #poll}; harmless when none is. */
    void wakeUp() {
        lock.readLock().lock();
        try {
            wakeUpIfOpen();
        } finally {
            lock.readLock().unlock();
        }
    }

    private void wakeUpIfOpen() {
        if (released) {
            return;
        }
        try {
            LibC.get().write(wakeWrite, new byte[] {1}, new NativeLong(1));
        } catch (LastErrorException e) {
            // EAGAIN: the pipe is full of wake-ups already, which is as good as this one
        }
    }

    /**
     * Closes the descriptor (the kernel then deletes a TUN interface it created for it) and
     * the wake pipe, once calls in progress have left; waits at most {@code timeoutMillis}
     * for them, and leaves the descriptors open rather than close them under a call.
     */
    void close(long timeoutMillis) {
        closed = true;
        wakeUpIfOpen();
        boolean locked;
        try {
            locked = lock.writeLock().tryLock(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            locked = false;
        }
        if (!locked) {
            LOG.error("{}: a call on the TUN file did not return within {} ms; its descriptors are left open",
                    name, timeoutMillis);
            return;
        }
        try {
            if (released) {
                return;
            }
            released = true;
            LibC libc = LibC.get();
            closeQuietly(libc, fd);
            closeQuietly(libc, wakeRead);
            closeQuietly(libc, wakeWrite);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private static void closeQuietly(LibC libc, int fd) {
        try {
            libc.close(fd);
        } catch (LastErrorException e) {
            LOG.debug("close({}) failed with errno {}", fd, e.getErrorCode());
        }
    }
}
