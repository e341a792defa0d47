package net.tern.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FdTableTest {

    @Test
    void handsOutTheLowestFreeDescriptorAcrossWords() {
        FdTable<String> table = new FdTable<>(1024, 3);
        for (int i = 3; i < 200; i++) {
            assertThat(table.reserve()).isEqualTo(i);
            table.install(i, "fd" + i);
        }
        assertThat(table.remove(130)).isEqualTo("fd130");
        assertThat(table.remove(70)).isEqualTo("fd70");
        assertThat(table.remove(5)).isEqualTo("fd5");
        assertThat(table.reserve()).isEqualTo(5);
        assertThat(table.reserve()).isEqualTo(70);
        assertThat(table.reserve()).isEqualTo(130);
        assertThat(table.reserve()).isEqualTo(200);
    }

    @Test
    void reservedDescriptorsAreNeitherHandedOutNorVisible() {
        FdTable<String> table = new FdTable<>(16, 3);
        assertThat(table.get(0)).isNull();
        assertThat(table.remove(2)).isNull();
        int fd = table.reserve();
        assertThat(fd).isEqualTo(3);
        assertThat(table.get(fd)).as("reserved but not installed").isNull();
        table.unreserve(fd);
        assertThat(table.reserve()).isEqualTo(3);
        assertThat(table.count()).isEqualTo(1);
    }

    @Test
    void removeTwiceFindsNothingTheSecondTime() {
        FdTable<String> table = new FdTable<>(16, 0);
        int fd = table.reserve();
        table.install(fd, "socket");
        assertThat(table.remove(fd)).isEqualTo("socket");
        assertThat(table.remove(fd)).isNull();
        assertThat(table.get(fd)).isNull();
        assertThat(table.get(-1)).isNull();
        assertThat(table.get(16)).isNull();
    }

    @Test
    void fillsAMillionDescriptorsThenRefusesAndReusesAHoleInTheMiddle() {
        int limit = 1 << 20;
        FdTable<Object> table = new FdTable<>(limit, 3);
        Object entry = new Object();
        int last = -1;
        for (int i = 3; i < limit; i++) {
            last = table.reserve();
            table.install(last, entry);
        }
        assertThat(last).isEqualTo(limit - 1);
        assertThat(table.count()).isEqualTo(limit - 3);
        assertThat(table.reserve()).as("at the limit").isEqualTo(-1);
        assertThat(table.remove(777_777)).isSameAs(entry);
        assertThat(table.remove(500_000)).isSameAs(entry);
        assertThat(table.reserve()).isEqualTo(500_000);
        assertThat(table.reserve()).isEqualTo(777_777);
        assertThat(table.reserve()).isEqualTo(-1);
    }

    @Test
    void limitMustLeaveRoomAboveTheReservedDescriptors() {
        assertThatThrownBy(() -> new FdTable<>(3, 3)).isInstanceOf(IllegalArgumentException.class);
    }
}
