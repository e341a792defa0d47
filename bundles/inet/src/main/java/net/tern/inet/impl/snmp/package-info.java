/** The counter registry behind {@code net.tern.inet.snmp.SnmpCounters}. */
package net.tern.inet.impl.snmp;
