package net.tern.link.tun;

import java.util.List;
import net.tern.api.socket.ErrnoException;

/** How a {@link TunDevice} gets its files: {@link TunFile#openQueues} in the stack, socket pairs in tests. */
@FunctionalInterface
interface TunOpener {
    /** One file. */
    TunFile open(TunSettings settings) throws ErrnoException;

    /** Up to {@code queues} files on one interface, the first first; one unless the opener makes more. */
    default List<TunFile> openQueues(TunSettings settings, int queues) throws ErrnoException {
        return List.of(open(settings));
    }

    /** The real thing: {@code /dev/net/tun}, {@code IFF_MULTI_QUEUE} for more than one queue. */
    TunOpener KERNEL = new TunOpener() {
        @Override
        public TunFile open(TunSettings settings) throws ErrnoException {
            return TunFile.open(settings);
        }

        @Override
        public List<TunFile> openQueues(TunSettings settings, int queues) throws ErrnoException {
            return TunFile.openQueues(settings, queues);
        }
    };
}
