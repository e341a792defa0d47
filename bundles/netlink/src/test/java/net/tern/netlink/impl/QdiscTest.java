package net.tern.netlink.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.netlink.NetemOptions;
import net.tern.netlink.Netlink;
import net.tern.netlink.NetlinkSocket;
import net.tern.netlink.NlAttrs;
import net.tern.netlink.NlMsg;
import net.tern.netlink.NlWriter;
import net.tern.netlink.PktSched;
import net.tern.netlink.QdiscMessage;
import net.tern.netlink.Rtnetlink;
import net.tern.netlink.TcMsg;
import net.tern.netlink.testing.NetlinkWiring;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Impairment;
import net.tern.spi.net.Link;
import net.tern.udp.testing.UdpTestBed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Traffic control's qdisc messages: netem as tc sets, changes, deletes and shows it, in Linux's layout. */
@ExtendWith(PacketLeakCheck.class)
class QdiscTest {
    private UdpTestBed bed;
    private NetlinkSocket nl;
    private Link lo;

    @BeforeEach
    void start() throws Exception {
        bed = new UdpTestBed();
        NetlinkWiring.attach(bed.socketLayer(), bed.stack(), bed.inet().fib());
        nl = NetlinkSocket.open(bed.api(), Netlink.NETLINK_ROUTE);
        lo = bed.link("lo");
    }

    @AfterEach
    void stop() throws Exception {
        nl.close();
        bed.close();
    }

    private static NetemOptions netem(String words) {
        return NetemOptions.parse(List.of(words.split(" ")));
    }

    /** {@code RTM_NEWQDISC} with {@code flags}, netem's {@code options}, acknowledged. */
    private void newQdisc(int flags, int handle, String kind, NetemOptions options) throws ErrnoException {
        NlWriter w = nl.request(Rtnetlink.RTM_NEWQDISC, flags | Netlink.NLM_F_ACK);
        new TcMsg(0, lo.index(), handle, PktSched.TC_H_ROOT, 0).write(w);
        if (kind != null) {
            w.attrString(PktSched.TCA_KIND, kind);
        }
        if (options != null) {
            int start = w.beginAttr(PktSched.TCA_OPTIONS);
            options.write(w);
            w.endAttr(start);
        }
        nl.talk(w);
    }

    private QdiscMessage root() throws ErrnoException {
        return QdiscMessage.dump(nl).stream().filter(q -> q.ifindex() == lo.index()).findFirst().orElseThrow();
    }

    @Test
    void aLinkWithoutImpairmentHasTheDefaultNoqueueRootWithHandleZero() throws Exception {
        QdiscMessage root = root();
        assertThat(root.kind()).isEqualTo("noqueue");
        assertThat(root.handle()).isZero();
        assertThat(root.parent()).isEqualTo(PktSched.TC_H_ROOT);
        assertThat(root.info()).isEqualTo(2);
        assertThat(root.netem()).isNull();
    }

    @Test
    void tcQdiscAddSetsTheLinksImpairmentWithAnAllocatedHandleAndTheDumpGivesItBack() throws Exception {
        newQdisc(Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, 0, "netem", netem("delay 10ms loss 2% duplicate 1% reorder 5% seed 7"));

        assertThat(lo.impairment()).isEqualTo(Impairment.parse("delay 10ms loss 2 duplicate 1 reorder 5 seed 7"));
        QdiscMessage root = root();
        assertThat(root.kind()).isEqualTo("netem");
        assertThat(PktSched.handleToString(root.handle())).matches("80[0-9a-f]{2}:");
        assertThat(root.netem().latencyNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(10));
        assertThat(root.netem().limit()).isEqualTo(1000);
        assertThat(root.netem().gap()).as("reorder as tc sends it: gap 1").isEqualTo(1);
        assertThat(root.netem().seed()).isEqualTo(OptionalLong.of(7));
        assertThat(root.netem()).hasToString("loss 2% duplicate 1% reorder 5% delay 10ms seed 7");
    }

    @Test
    void theOptionsAreNetemsQoptThenItsAttributesInNetemDumpsOrder() throws Exception {
        newQdisc(Netlink.NLM_F_CREATE, 0, "netem", netem("delay 10ms loss 100% seed 3"));
        NlWriter w = nl.request(Rtnetlink.RTM_GETQDISC, Netlink.NLM_F_DUMP);
        new TcMsg(0, 0, 0, 0, 0).write(w);
        NlMsg m = nl.dump(w).stream().filter(x -> {
            try {
                return TcMsg.read(x).ifindex() == lo.index();
            } catch (ErrnoException e) {
                throw new AssertionError(e);
            }
        }).findFirst().orElseThrow();
        NlAttrs a = m.attrs(TcMsg.SIZE);
        assertThat(a.types()).containsExactly(PktSched.TCA_KIND, PktSched.TCA_OPTIONS, PktSched.TCA_HW_OFFLOAD,
                PktSched.TCA_STATS2, PktSched.TCA_STATS, PktSched.TCA_XSTATS);
        var options = a.payload(PktSched.TCA_OPTIONS);
        assertThat(options.getInt(0)).as("latency in 64 ns ticks").isEqualTo(10_000_000 / 64);
        assertThat(options.getInt(4)).as("limit").isEqualTo(1000);
        assertThat(options.getInt(8)).as("loss 100% is ~0").isEqualTo(0xFFFFFFFF);
        NlAttrs netem = NlAttrs.parse(options.position(PktSched.TC_NETEM_QOPT_SIZE).slice());
        assertThat(netem.types()).containsExactly(PktSched.TCA_NETEM_LATENCY64, PktSched.TCA_NETEM_JITTER64,
                PktSched.TCA_NETEM_CORR, PktSched.TCA_NETEM_REORDER, PktSched.TCA_NETEM_CORRUPT, PktSched.TCA_NETEM_RATE,
                PktSched.TCA_NETEM_PRNG_SEED);
        assertThat(netem.u64(PktSched.TCA_NETEM_LATENCY64)).isEqualTo(10_000_000L);
        assertThat(netem.u64(PktSched.TCA_NETEM_PRNG_SEED)).isEqualTo(3);
        NlAttrs stats2 = a.nested(PktSched.TCA_STATS2);
        assertThat(stats2.payload(PktSched.TCA_STATS_BASIC).remaining()).isEqualTo(PktSched.GNET_STATS_BASIC_SIZE);
        assertThat(stats2.payload(PktSched.TCA_STATS_QUEUE).remaining()).isEqualTo(PktSched.GNET_STATS_QUEUE_SIZE);
        assertThat(a.payload(PktSched.TCA_STATS).remaining()).isEqualTo(PktSched.TC_STATS_SIZE);
    }

    @Test
    void theStatisticsCountWhatNetemDroppedAndPassedOn() throws Exception {
        newQdisc(Netlink.NLM_F_CREATE, 0, "netem", netem("loss 100% seed 1"));
        lo.transmit(bed.stack().packet(EtherType.IPV4, new byte[20]));
        lo.transmit(bed.stack().packet(EtherType.IPV4, new byte[20]));

        assertThat(root().stats().drops()).isEqualTo(2);
        assertThat(root().stats().packets()).isZero();

        newQdisc(Netlink.NLM_F_CREATE | Netlink.NLM_F_REPLACE, 0, "netem", netem("duplicate 100% seed 1"));
        lo.transmit(bed.stack().packet(EtherType.IPV4, new byte[20]));
        assertThat(root().stats().duplicated()).isEqualTo(1);
        assertThat(root().stats().packets()).isEqualTo(2);
        assertThat(root().stats().bytes()).isEqualTo(2 * 20);
    }

    @Test
    void theStatisticsStartAtTheQdiscsCreationAndGoOnThroughAChange() throws Exception {
        newQdisc(Netlink.NLM_F_CREATE, 0, "netem", netem("loss 100% seed 1"));
        lo.transmit(bed.stack().packet(EtherType.IPV4, new byte[20]));
        newQdisc(0, 0, "netem", netem("loss 100% seed 2"));
        lo.transmit(bed.stack().packet(EtherType.IPV4, new byte[20]));
        assertThat(root().stats().drops()).as("a change keeps the counters").isEqualTo(2);

        QdiscMessage.deleteRoot(nl, lo.index());
        newQdisc(Netlink.NLM_F_CREATE, 0, "netem", netem("loss 100% seed 3"));
        assertThat(root().stats().drops()).as("a new qdisc counts from zero").isZero();
        lo.transmit(bed.stack().packet(EtherType.IPV4, new byte[20]));
        assertThat(root().stats().drops()).isEqualTo(1);
    }

    @Test
    void seedlessOptionsGetTheSeedTheLinkPickedAndADumpShowsIt() throws Exception {
        newQdisc(Netlink.NLM_F_CREATE, 0, "netem", netem("loss 1%"));
        assertThat(lo.impairment().seed()).isPresent();
        assertThat(root().netem().seed()).isEqualTo(lo.impairment().seed());
    }

    @Test
    void refusalsAreLinuxsErrnos() throws Exception {
        assertThatThrownBy(() -> newQdisc(0, 0, "netem", netem("loss 1%")))
                .as("change of the default").isInstanceOf(ErrnoException.class)
                .hasFieldOrPropertyWithValue("errno", Errno.ENOENT);
        assertThatThrownBy(() -> newQdisc(Netlink.NLM_F_CREATE, 0, "tbf", null))
                .hasFieldOrPropertyWithValue("errno", Errno.ENOENT);
        assertThatThrownBy(() -> newQdisc(Netlink.NLM_F_CREATE, 0, "netem", null))
                .as("netem_init without options").hasFieldOrPropertyWithValue("errno", Errno.EINVAL);
        assertThatThrownBy(() -> QdiscMessage.deleteRoot(nl, lo.index()))
                .as("the default's handle is zero").hasFieldOrPropertyWithValue("errno", Errno.ENOENT);
        assertThatThrownBy(() -> QdiscMessage.deleteRoot(nl, 99)).hasFieldOrPropertyWithValue("errno", Errno.ENODEV);

        newQdisc(Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, 0, "netem", netem("loss 1%"));
        assertThatThrownBy(() -> newQdisc(Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, 0, "netem", netem("loss 2%")))
                .hasFieldOrPropertyWithValue("errno", Errno.EEXIST).hasMessageContaining("Exclusivity flag on");
        assertThatThrownBy(() -> newQdisc(0, 0, "netem", new NetemOptions(0, 1000, 1000, 1, 0, 0, 0, 0, 0,
                OptionalLong.empty()))).as("jitter").hasFieldOrPropertyWithValue("errno", Errno.EOPNOTSUPP);
        assertThat(lo.impairment().lossPercent()).as("unchanged by the refusals").isEqualTo(1);
    }

    @Test
    void tcQdiscChangeThenDelTakeTheImpairmentAway() throws Exception {
        newQdisc(Netlink.NLM_F_CREATE, 0, "netem", netem("loss 1% seed 4"));
        int handle = root().handle();
        newQdisc(0, 0, "netem", netem("delay 5ms seed 4"));
        assertThat(lo.impairment()).hasToString("delay 5ms seed 4");
        assertThat(root().handle()).as("a change keeps the qdisc").isEqualTo(handle);

        QdiscMessage.deleteRoot(nl, lo.index());
        assertThat(lo.impairment().isNone()).isTrue();
        assertThat(root().kind()).isEqualTo("noqueue");
    }

    @Test
    void changesAreNotifiedToRtnlgrpTc() throws Exception {
        try (NetlinkSocket monitor = NetlinkSocket.open(bed.api(), Netlink.NETLINK_ROUTE)) {
            monitor.join(Rtnetlink.RTNLGRP_TC);
            newQdisc(Netlink.NLM_F_CREATE, 0, "netem", netem("loss 1% seed 4"));
            QdiscMessage.deleteRoot(nl, lo.index());

            List<NlMsg> added = monitor.receive();
            List<NlMsg> deleted = monitor.receive();
            assertThat(added.get(0).type()).isEqualTo(Rtnetlink.RTM_NEWQDISC);
            assertThat(QdiscMessage.from(added.get(0)).netem()).hasToString("loss 1% seed 4");
            assertThat(deleted.get(0).type()).isEqualTo(Rtnetlink.RTM_DELQDISC);
        }
    }
}
