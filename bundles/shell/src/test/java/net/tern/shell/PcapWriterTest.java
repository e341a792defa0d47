package net.tern.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class PcapWriterTest {
    @Test
    void writesTheFileHeaderThenEachRecordBigEndianByteForByte() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PcapWriter writer = new PcapWriter(bytes, PcapWriter.DEFAULT_SNAPLEN, PcapWriter.LINKTYPE_RAW)) {
            // 2001-09-09T01:46:40.000250Z
            writer.write(1_000_000_000_000_250L, new byte[] {0x45, 0x00, 0x00, 0x14}, 4);
        }

        assertThat(ByteBufUtil.hexDump(bytes.toByteArray())).isEqualTo(
                "a1b2c3d4" + "0002" + "0004" + "00000000" + "00000000" + "00040000" + "00000065"
                        + "3b9aca00" + "000000fa" + "00000004" + "00000004" + "45000014");
    }

    @Test
    void cutsAPacketToTheSnapshotLengthAndKeepsItsOriginalLength() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PcapWriter writer = new PcapWriter(bytes, 2, PcapWriter.LINKTYPE_RAW)) {
            writer.write(1_500_000, new byte[] {1, 2, 3}, 1500);
        }

        assertThat(ByteBufUtil.hexDump(bytes.toByteArray()).substring(PcapWriter.FILE_HEADER_LENGTH * 2)).isEqualTo(
                "00000001" + "0007a120" + "00000002" + "000005dc" + "0102");
        assertThat(bytes.size()).isEqualTo(PcapWriter.FILE_HEADER_LENGTH + PcapWriter.RECORD_HEADER_LENGTH + 2);
    }

    @Test
    void refusesANegativeTimestampAndABadSnapshotLength() {
        assertThatThrownBy(() -> new PcapWriter(new ByteArrayOutputStream(), 0, PcapWriter.LINKTYPE_RAW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("snapshot length must be positive: 0");
        assertThatThrownBy(() -> new PcapWriter(new ByteArrayOutputStream(), 10, 101).write(-1, new byte[0], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("before the epoch: -1");
    }
}
