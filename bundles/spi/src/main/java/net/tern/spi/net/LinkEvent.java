package net.tern.spi.net;

/** What happened to a link ({@code NETDEV_*} notifier events). */
public enum LinkEvent {
    REGISTER, UP, DOWN, CHANGE_MTU, CHANGE_ADDR, UNREGISTER
}
