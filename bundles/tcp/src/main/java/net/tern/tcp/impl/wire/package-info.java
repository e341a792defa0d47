/** TCP on the wire: the header view, the options and the header writer. */
package net.tern.tcp.impl.wire;
