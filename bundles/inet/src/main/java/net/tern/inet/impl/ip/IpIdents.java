package net.tern.inet.impl.ip;

import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * IP identification ({@code ip_idents_reserve}, {@code __ip_select_ident}): a table of
 * counters, each starting at a random value, picked by a keyed hash of (destination, source,
 * protocol). Datagrams to one destination get consecutive IDs, so reassembly there cannot
 * confuse them within the ID's wrap time, while an observer cannot predict the IDs a host
 * uses towards others from the ones it sees (RFC 6864, 4.2; RFC 7739).
 */
public final class IpIdents {
    private static final int BUCKETS = 2048;

    private final AtomicIntegerArray counters = new AtomicIntegerArray(BUCKETS);
    private final int key1;
    private final int key2;

    public IpIdents(Random random) {
        for (int i = 0; i < BUCKETS; i++) {
            counters.set(i, random.nextInt());
        }
        this.key1 = random.nextInt() | 1;
        this.key2 = random.nextInt();
    }

    /** The next identification for a datagram of {@code protocol} from {@code source} to {@code destination}. */
    public int next(int source, int destination, int protocol) {
        return counters.getAndIncrement(bucket(source, destination, protocol)) & 0xffff;
    }

    private int bucket(int source, int destination, int protocol) {
        int h = destination * key1 + key2;
        h ^= Integer.rotateLeft(source, 13) * 0x9e3779b9;
        h ^= protocol * 0x85ebca6b;
        h ^= h >>> 16;
        h *= 0x7feb352d;
        h ^= h >>> 15;
        return h & (BUCKETS - 1);
    }
}
