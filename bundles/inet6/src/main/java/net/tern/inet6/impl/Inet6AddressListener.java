package net.tern.inet6.impl;

/** Hears addresses come and go ({@code inet6addr_notifier_chain}): for route and netlink notifications. */
@FunctionalInterface
public interface Inet6AddressListener {
    void addressChanged(Inet6IfAddr address, boolean added);
}
