/** IPv4 input, output, fragmentation, reassembly and the IP protocol table. */
package net.tern.inet.impl.ip;
