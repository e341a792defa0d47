package net.tern.link.tun;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.LastErrorException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.core.testing.TestStack;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.FlowHash;
import net.tern.spi.net.Link;
import net.tern.spi.net.Packet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Several TUN queues ({@code IFF_MULTI_QUEUE}) without root: the flow steering over socket
 * pairs standing in for the queues' files (a flow's packets leave on its queue, a packet read
 * on another queue is counted and still delivered), and the opening through a C library that
 * plays the kernel (one {@code TUNSETIFF} per queue with the same flags; one queue without the
 * flag when the kernel refuses it; fewer queues when it refuses one).
 */
@ExtendWith(PacketLeakCheck.class)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TunMultiQueueTest {
    private static final int QUEUES = 4;
    private static final int KERNEL = 0x0a4d0001; // 10.77.0.1
    private static final int TERN = 0x0a4d0002; // 10.77.0.2

    private final TestStack stack = new TestStack();
    private final List<SocketPair> pairs = new ArrayList<>();
    private final List<Integer> receivedPorts = new CopyOnWriteArrayList<>();
    private TunDevice device;
    private Link link;

    @AfterEach
    void close() {
        stack.close();
        pairs.forEach(SocketPair::close);
    }

    /** A device whose opener hands it {@code files} socket pairs as its queues, asked for {@code queues}. */
    private void open(int queues, int files) throws ErrnoException {
        for (int i = 0; i < files; i++) {
            pairs.add(new SocketPair());
        }
        stack.addPacketHandler(EtherType.IPV4, packet -> {
            ByteBuf buf = packet.buf();
            receivedPorts.add(buf.getUnsignedShort(buf.readerIndex() + 22)); // the destination port
            packet.release();
        });
        TunOpener opener = new TunOpener() {
            @Override
            public TunFile open(TunSettings settings) {
                throw new AssertionError("the device asks for its queues");
            }

            @Override
            public List<TunFile> openQueues(TunSettings settings, int asked) throws ErrnoException {
                assertThat(asked).isEqualTo(queues);
                List<TunFile> opened = new ArrayList<>();
                for (SocketPair pair : pairs) {
                    opened.add(new TunFile(settings.name(), pair.deviceFd));
                }
                return opened;
            }
        };
        device = new TunDevice(TunSettings.of("tun0"), opener, queues);
        link = stack.register(device);
    }

    /** An IPv4 TCP header pair (20 + 20 bytes) from {@code source:sourcePort} to {@code destination:destinationPort}. */
    private static byte[] tcp(int source, int sourcePort, int destination, int destinationPort) {
        ByteBuffer b = ByteBuffer.allocate(40);
        b.put(0, (byte) 0x45).putShort(2, (short) 40).put(8, (byte) 64).put(9, (byte) 6);
        b.putInt(12, source).putInt(16, destination);
        b.putShort(20, (short) sourcePort).putShort(22, (short) destinationPort);
        b.put(32, (byte) 0x50);
        return b.array();
    }

    private static int queueOfFlow(int a, int portA, int b, int portB) {
        return Math.floorMod(FlowHash.of(a, portA, b, portB), QUEUES);
    }

    @Test
    void eachFlowLeavesOnTheQueueOfItsNetworkThread() throws Exception {
        open(QUEUES, QUEUES);
        assertThat(device.queues()).isEqualTo(QUEUES);
        int[] perQueue = new int[QUEUES];
        for (int port = 40000; port < 40064; port++) {
            Packet packet = stack.packet(EtherType.IPV4, tcp(TERN, port, KERNEL, 5201));
            device.transmit(packet);
            int expected = queueOfFlow(TERN, port, KERNEL, 5201);
            // The same queue as the core's receive steering gives the kernel's packets of the flow.
            assertThat(TunSteering.queueOf(EtherType.IPV4, Unpooled.wrappedBuffer(tcp(KERNEL, 5201, TERN, port)), 0,
                    QUEUES)).isEqualTo(expected);
            byte[] written = pairs.get(expected).receive(1000);
            assertThat(written).as("flow from port %d on queue %d", port, expected)
                    .isEqualTo(tcp(TERN, port, KERNEL, 5201));
            perQueue[expected]++;
        }
        for (int q = 0; q < QUEUES; q++) {
            assertThat(perQueue[q]).as("flows on queue %d of 64", q).isPositive();
            assertThat(pairs.get(q).peerEvents() & LibC.POLLIN).as("nothing else on queue %d", q).isZero();
        }
    }

    @Test
    void aPacketReadOnAnotherQueueThanItsFlowsIsCountedAndDelivered() throws Exception {
        open(QUEUES, QUEUES);
        int port = 40000;
        int own = queueOfFlow(KERNEL, 5201, TERN, port);
        int other = (own + 1) % QUEUES;

        pairs.get(own).send(tcp(KERNEL, 5201, TERN, port));
        TunDeviceTest.awaitOnNetworkThread(stack, () -> receivedPorts.size() == 1);
        assertThat(device.misqueued()).isZero();

        pairs.get(other).send(tcp(KERNEL, 5201, TERN, port));
        TunDeviceTest.awaitOnNetworkThread(stack, () -> receivedPorts.size() == 2);
        assertThat(device.misqueued()).isEqualTo(1);
        assertThat(receivedPorts).containsExactly(port, port);
        long[] read = device.packetsPerQueue();
        assertThat(read[own]).isEqualTo(1);
        assertThat(read[other]).isEqualTo(1);
        assertThat(link.stats().rxPackets.sum()).isEqualTo(2);
    }

    @Test
    void packetsThatAreNotIpv4GoOnQueueZero() throws Exception {
        open(QUEUES, QUEUES);
        byte[] ipv6 = new byte[40];
        ipv6[0] = 0x60;
        device.transmit(stack.packet(EtherType.IPV6, ipv6));
        assertThat(pairs.get(0).receive(1000)).isEqualTo(ipv6);
    }

    @Test
    void withFewerQueuesThanAskedForEveryFlowUsesThoseThereAre() throws Exception {
        open(QUEUES, 1);
        assertThat(device.queues()).isEqualTo(1);
        for (int port = 40000; port < 40008; port++) {
            device.transmit(stack.packet(EtherType.IPV4, tcp(TERN, port, KERNEL, 5201)));
            assertThat(pairs.get(0).receive(1000)).isEqualTo(tcp(TERN, port, KERNEL, 5201));
        }
        pairs.get(0).send(tcp(KERNEL, 5201, TERN, 40001));
        TunDeviceTest.awaitOnNetworkThread(stack, () -> receivedPorts.size() == 1);
        assertThat(device.misqueued()).as("one queue: every packet is on its flow's").isZero();
    }

    /** What the stand-in kernel saw: the flags of each TUNSETIFF, by descriptor. */
    private final List<int[]> setIffCalls = new ArrayList<>();
    private final List<Integer> opened = new ArrayList<>();
    private final List<Integer> closed = new ArrayList<>();

    /**
     * A C library playing the kernel: {@code open} gives a real descriptor (of /dev/null, so
     * closing it is safe), TUNSETIFF fails with EINVAL when the flags hold IFF_MULTI_QUEUE and
     * {@code refuseMultiQueue}, and with E2BIG from the {@code refuseFrom}th queue on.
     */
    private LibC kernel(boolean refuseMultiQueue, int refuseFrom) {
        return (LibC) Proxy.newProxyInstance(LibC.class.getClassLoader(), new Class<?>[] {LibC.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "open" -> {
                            int fd = LibC.get().open("/dev/null", LibC.O_RDWR | LibC.O_CLOEXEC);
                            opened.add(fd);
                            return fd;
                        }
                        case "ioctl" -> {
                            long request = ((com.sun.jna.NativeLong) args[1]).longValue();
                            if (request == TunFile.TUNSETIFF) {
                                int flags = ByteBuffer.wrap((byte[]) args[2]).order(ByteOrder.nativeOrder())
                                        .getShort(16) & 0xffff;
                                setIffCalls.add(new int[] {(Integer) args[0], flags});
                                if (refuseMultiQueue && (flags & TunFile.IFF_MULTI_QUEUE) != 0) {
                                    throw new LastErrorException(Errno.EINVAL.number());
                                }
                                if (opened.size() > refuseFrom) {
                                    throw new LastErrorException(7); // E2BIG: MAX_TAP_QUEUES reached
                                }
                            }
                            return 0;
                        }
                        case "socket" -> throw new LastErrorException(Errno.EACCES.number()); // no MTU change
                        case "close" -> {
                            closed.add((Integer) args[0]);
                            return LibC.get().close((Integer) args[0]);
                        }
                        default -> throw new AssertionError("unexpected call " + method.getName());
                    }
                });
    }

    @Test
    void eachQueueIsAFileAttachedWithTheSameFlags() throws Exception {
        List<TunFile> files = TunFile.openQueuesHere(TunSettings.of("tun7"), kernel(false, 99), QUEUES);
        try {
            assertThat(files).hasSize(QUEUES);
            assertThat(setIffCalls).hasSize(QUEUES);
            int flags = TunFile.IFF_TUN | TunFile.IFF_NO_PI | TunFile.IFF_VNET_HDR | TunFile.IFF_MULTI_QUEUE;
            for (int i = 0; i < QUEUES; i++) {
                assertThat(setIffCalls.get(i)).containsExactly(opened.get(i), flags);
            }
            assertThat(files).allMatch(TunFile::vnetHdr);
        } finally {
            files.forEach(f -> f.close(1000));
        }
    }

    @Test
    void aKernelOrInterfaceRefusingMultiQueueGetsOneFileWithoutIt() throws Exception {
        List<TunFile> files = TunFile.openQueuesHere(TunSettings.of("tun7"), kernel(true, 99), QUEUES);
        try {
            assertThat(files).hasSize(1);
            assertThat(opened).hasSize(1);
            assertThat(setIffCalls).extracting(call -> call[1]).containsExactly(
                    TunFile.IFF_TUN | TunFile.IFF_NO_PI | TunFile.IFF_VNET_HDR | TunFile.IFF_MULTI_QUEUE,
                    TunFile.IFF_TUN | TunFile.IFF_NO_PI | TunFile.IFF_VNET_HDR);
            assertThat(files.get(0).vnetHdr()).as("the header stays").isTrue();
        } finally {
            files.forEach(f -> f.close(1000));
        }
    }

    @Test
    void oneQueueIsAskedForWithoutMultiQueue() throws Exception {
        List<TunFile> files = TunFile.openQueuesHere(TunSettings.of("tun7").withOffload(false), kernel(false, 99), 1);
        try {
            assertThat(files).hasSize(1);
            assertThat(setIffCalls).extracting(call -> call[1]).containsExactly(TunFile.IFF_TUN | TunFile.IFF_NO_PI);
        } finally {
            files.forEach(f -> f.close(1000));
        }
    }

    @Test
    void aQueueTheKernelRefusesEndsTheListThere() throws Exception {
        List<TunFile> files = TunFile.openQueuesHere(TunSettings.of("tun7"), kernel(false, 2), QUEUES);
        try {
            assertThat(files).hasSize(2);
            assertThat(closed).as("the refused queue's descriptor is closed").containsExactly(opened.get(2));
        } finally {
            files.forEach(f -> f.close(1000));
        }
    }
}
