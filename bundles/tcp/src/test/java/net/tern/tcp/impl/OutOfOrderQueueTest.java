package net.tern.tcp.impl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OutOfOrderQueueTest {
    @Test
    void runsThatTouchMergeIntoOneEntryAndBytesAreHeldOnce() {
        OutOfOrderQueue q = new OutOfOrderQueue();
        assertThat(q.entriesAdded(100, 200)).isEqualTo(1);
        assertThat(q.insert(100, 200)).isEqualTo(100);
        assertThat(q.entriesAdded(300, 400)).isEqualTo(1);
        q.insert(300, 400);
        assertThat(q.entries()).isEqualTo(2);
        // [150, 350) joins both: two entries become one.
        assertThat(q.entriesAdded(150, 350)).isEqualTo(-1);
        assertThat(q.insert(150, 350)).isEqualTo(100);
        assertThat(q.entries()).isEqualTo(1);
        assertThat(q.bytes()).isEqualTo(300);
        // Adjoining at either end extends the run.
        assertThat(q.entriesAdded(400, 410)).isZero();
        q.insert(400, 410);
        assertThat(q.entriesAdded(90, 100)).isZero();
        q.insert(90, 100);
        assertThat(q.entries()).isEqualTo(1);
        assertThat(q.covers(90, 410)).isTrue();
        assertThat(q.covers(90, 411)).isFalse();
        assertThat(q.truesize()).isEqualTo(OutOfOrderQueue.ENTRY_TRUESIZE);
    }

    @Test
    void drainJoinsTheRunsTheInOrderDataReach() {
        OutOfOrderQueue q = new OutOfOrderQueue();
        q.insert(10, 20);
        q.insert(30, 40);
        assertThat(q.drain(5)).isEqualTo(5);
        assertThat(q.drain(10)).isEqualTo(20);
        assertThat(q.entries()).isEqualTo(1);
        assertThat(q.drain(35)).isEqualTo(40);
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.bytes()).isZero();
    }

    @Test
    void pruningDropsTheFarthestRunsAndKeepsThoseBeforeTheArrivingSegment() {
        OutOfOrderQueue q = new OutOfOrderQueue();
        q.insert(10, 20);
        q.insert(30, 40);
        q.insert(50, 60);
        assertThat(q.pruneLast(45)).isEqualTo(10);
        assertThat(q.highestEnd()).isEqualTo(40);
        // A segment arriving at 25 would land after [10, 20): [30, 40) may go, [10, 20) stays.
        assertThat(q.pruneLast(25)).isEqualTo(10);
        assertThat(q.pruneLast(25)).isEqualTo(-1);
        assertThat(q.entries()).isEqualTo(1);
    }

    @Test
    void sackBlocksAreTheRunsHeldTheLatestFirstAndForgetPrunedOnes() {
        OutOfOrderQueue q = new OutOfOrderQueue();
        q.insert(10, 20);
        q.insert(50, 60);
        q.insert(30, 40);
        long[] out = new long[8];
        assertThat(q.sackRuns(out, 4)).isEqualTo(3);
        assertThat(out).startsWith(30, 40, 50, 60, 10, 20);
        q.insert(55, 70);
        q.pruneLast(0);
        // The latest run was pruned: the blocks are what is held, highest first.
        assertThat(q.sackRuns(out, 4)).isEqualTo(2);
        assertThat(out).startsWith(30, 40, 10, 20);
    }
}
