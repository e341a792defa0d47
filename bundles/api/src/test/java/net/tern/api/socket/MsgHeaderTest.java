package net.tern.api.socket;

import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A receive's control messages: kept in order, looked up by level and type, truncated as Linux's {@code put_cmsg}. */
class MsgHeaderTest {

    @Test
    void controlMessagesAreKeptInOrderAndFoundByLevelAndType() {
        MsgHeader msg = new MsgHeader();
        assertThat(msg.controlCount()).isZero();
        assertThat(msg.hasControl(SocketConstants.SOL_TCP, SocketConstants.TCP_CM_INQ)).isFalse();
        msg.addControl(SocketConstants.SOL_IP, SocketConstants.IP_TTL, 57);
        msg.addControl(SocketConstants.SOL_TCP, SocketConstants.TCP_CM_INQ, 8000);
        assertThat(msg.controlCount()).isEqualTo(2);
        assertThat(msg.controlLevel(1)).isEqualTo(SocketConstants.SOL_TCP);
        assertThat(msg.controlType(1)).isEqualTo(SocketConstants.TCP_CM_INQ);
        assertThat(msg.controlValue(1)).isEqualTo(8000);
        assertThat(msg.control(SocketConstants.SOL_IP, SocketConstants.IP_TTL)).isEqualTo(57);
        assertThatThrownBy(() -> msg.controlValue(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> msg.control(SocketConstants.SOL_TCP, SocketConstants.TCP_INFO))
                .hasMessageContaining("no control message");

        MsgHeader copy = new MsgHeader().copyFrom(msg);
        assertThat(copy.control(SocketConstants.SOL_TCP, SocketConstants.TCP_CM_INQ)).isEqualTo(8000);
        msg.reset();
        assertThat(msg.controlCount()).isZero();
        assertThat(copy.controlCount()).as("a copy keeps its own").isEqualTo(2);
    }

    @Test
    void oneMessageTooManyIsDroppedWithCtrunc() {
        MsgHeader msg = new MsgHeader();
        for (int i = 0; i < MsgHeader.CONTROL_CAPACITY; i++) {
            msg.addControl(SocketConstants.SOL_IP, i, i);
        }
        assertThat(msg.flags & SocketConstants.MSG_CTRUNC).isZero();
        msg.addControl(SocketConstants.SOL_TCP, SocketConstants.TCP_CM_INQ, 1);
        assertThat(msg.controlCount()).isEqualTo(MsgHeader.CONTROL_CAPACITY);
        assertThat(msg.flags & SocketConstants.MSG_CTRUNC).isEqualTo(SocketConstants.MSG_CTRUNC);
        assertThat(msg.hasControl(SocketConstants.SOL_TCP, SocketConstants.TCP_CM_INQ)).isFalse();
    }
}
