/** The network thread: Tern's softirq, which runs receive dispatch, protocol input and timers. */
package net.tern.core.softirq;
