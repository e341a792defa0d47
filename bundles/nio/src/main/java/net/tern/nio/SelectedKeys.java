package net.tern.nio;

import java.nio.channels.SelectionKey;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A selector's selected-key set, held in an array: each key knows its place, so membership,
 * insertion and removal (through the set or its iterator) are O(1) and allocate nothing once
 * the array has grown to its largest. A removal moves the last key into the freed place; the
 * iterator visits that key next. As the JDK's, the set may be shrunk by its user but only the
 * selector adds to it ({@link #add} is unsupported).
 */
final class SelectedKeys extends AbstractSet<SelectionKey> {
    private TernSelectionKey[] keys = new TernSelectionKey[16];
    private int size;

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean contains(Object o) {
        return o instanceof TernSelectionKey k && k.selectedIndex >= 0 && k.selectedIndex < size
                && keys[k.selectedIndex] == k;
    }

    @Override
    public boolean add(SelectionKey key) {
        throw new UnsupportedOperationException();
    }

    /** The selector adds a key that is not in the set. */
    void insert(TernSelectionKey key) {
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
        }
        key.selectedIndex = size;
        keys[size++] = key;
    }

    @Override
    public boolean remove(Object o) {
        if (!contains(o)) {
            return false;
        }
        removeAt(((TernSelectionKey) o).selectedIndex);
        return true;
    }

    private void removeAt(int index) {
        TernSelectionKey gone = keys[index];
        gone.selectedIndex = -1;
        int last = --size;
        if (index != last) {
            TernSelectionKey moved = keys[last];
            keys[index] = moved;
            moved.selectedIndex = index;
        }
        keys[last] = null;
    }

    @Override
    public void clear() {
        for (int i = 0; i < size; i++) {
            keys[i].selectedIndex = -1;
            keys[i] = null;
        }
        size = 0;
    }

    @Override
    public Iterator<SelectionKey> iterator() {
        return new Iterator<>() {
            private int next;
            private int current = -1;

            @Override
            public boolean hasNext() {
                return next < size;
            }

            @Override
            public SelectionKey next() {
                if (next >= size) {
                    throw new NoSuchElementException();
                }
                current = next++;
                return keys[current];
            }

            @Override
            public void remove() {
                if (current < 0) {
                    throw new IllegalStateException();
                }
                removeAt(current);
                // The last key moved into the freed place: visit it next.
                next = current;
                current = -1;
            }
        };
    }
}
