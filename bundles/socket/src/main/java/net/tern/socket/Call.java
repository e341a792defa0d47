package net.tern.socket;

/**
 * A system call being made, for error messages: {@code recv(fd 5)},
 * {@code bind(fd 3, testlocal:80)}, {@code epollCtl(epfd 4, ADD, fd 5)},
 * {@code socket(family 250, type 1, protocol 0)}. Cheap to build; formatted only on failure.
 *
 * @param name     the call's name
 * @param fdLabel  how the descriptor argument is called ({@code fd}, {@code epfd}), or null when there is none
 * @param fd       the descriptor argument
 * @param argument the other arguments, printed with {@code toString()}, or null
 */
record Call(String name, String fdLabel, int fd, Object argument) {

    static Call of(String name, int fd) {
        return new Call(name, "fd", fd, null);
    }

    static Call of(String name, int fd, Object argument) {
        return new Call(name, "fd", fd, argument);
    }

    static Call withoutFd(String name, Object arguments) {
        return new Call(name, null, -1, arguments);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name).append('(');
        if (fdLabel != null) {
            sb.append(fdLabel).append(' ').append(fd);
            if (argument != null) {
                sb.append(", ");
            }
        }
        if (argument != null) {
            sb.append(argument);
        }
        return sb.append(')').toString();
    }
}
