/**
 * The socket layer ({@code net/socket.c}, the generic parts of {@code net/core/sock.c} and
 * {@code fs/eventpoll.c}): the descriptor table, {@code socket()} over the registered
 * protocol families, blocking with timeouts on top of non-blocking protocol operations,
 * readiness ({@code poll}, epoll) and the withdrawal of sockets whose family leaves.
 * Private to the bundle; applications see only {@code net.tern.api.socket.SocketApi}.
 */
package net.tern.socket;
