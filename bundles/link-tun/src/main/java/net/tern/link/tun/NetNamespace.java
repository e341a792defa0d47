package net.tern.link.tun;

import com.sun.jna.LastErrorException;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;

/**
 * Runs a task inside a network namespace. Namespace membership belongs to the thread in
 * Linux, and a TUN device is created in the namespace of the thread that calls TUNSETIFF;
 * the file it returns then works from any thread. So the task runs on a short-lived thread
 * that first calls {@code setns(fd, CLONE_NEWNET)} and then ends, leaving every other
 * thread of the process where it was.
 */
final class NetNamespace {
    /** Where {@code ip netns add} puts its namespaces. */
    static final String NETNS_DIR = "/var/run/netns";
    /** Opening a TUN device takes microseconds; this bounds a stuck call while the link lock is held. */
    static final long ENTER_TIMEOUT_SECONDS = 10;

    private NetNamespace() {
    }

    /** The file of namespace {@code netns}: a path as given, a bare name under {@link #NETNS_DIR}. */
    static String path(String netns) {
        return netns.indexOf('/') >= 0 ? netns : NETNS_DIR + "/" + netns;
    }

    /** Runs {@code task} in namespace {@code netns}, or right here when {@code netns} is empty. */
    static <T> T call(String netns, Callable<T> task) throws ErrnoException {
        if (netns == null || netns.isEmpty()) {
            return callChecked(task);
        }
        String path = path(netns);
        LibC libc = LibC.get();
        int nsFd;
        try {
            nsFd = libc.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw TunErrors.namespaceFailed("open(" + path + ")", netns, path, e.getErrorCode());
        }
        try {
            AtomicReference<T> result = new AtomicReference<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread entering = new Thread(() -> {
                try {
                    libc.setns(nsFd, LibC.CLONE_NEWNET);
                } catch (LastErrorException e) {
                    failure.set(TunErrors.namespaceFailed("setns(" + path + ", CLONE_NEWNET)", netns, path,
                            e.getErrorCode()));
                    return;
                }
                try {
                    result.set(task.call());
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "tern-netns-" + netns.substring(netns.lastIndexOf('/') + 1));
            entering.setDaemon(true);
            entering.start();
            entering.join(TimeUnit.SECONDS.toMillis(ENTER_TIMEOUT_SECONDS));
            if (entering.isAlive()) {
                throw new ErrnoException(Errno.ETIMEDOUT, "setns(" + path + "): the task in namespace " + netns
                        + " did not finish within " + ENTER_TIMEOUT_SECONDS + " s");
            }
            Throwable t = failure.get();
            if (t instanceof ErrnoException) {
                throw (ErrnoException) t;
            }
            if (t instanceof RuntimeException) {
                throw (RuntimeException) t;
            }
            if (t instanceof Error) {
                throw (Error) t;
            }
            if (t != null) {
                throw new IllegalStateException("task in namespace " + netns + " failed", t);
            }
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ErrnoException(Errno.EINTR, "setns(" + path + "): interrupted while waiting for the namespace task");
        } finally {
            closeQuietly(libc, nsFd);
        }
    }

    private static <T> T callChecked(Callable<T> task) throws ErrnoException {
        try {
            return task.call();
        } catch (ErrnoException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void closeQuietly(LibC libc, int fd) {
        try {
            libc.close(fd);
        } catch (LastErrorException ignored) {
            // the namespace file was opened read-only; nothing is lost if closing it fails
        }
    }
}
