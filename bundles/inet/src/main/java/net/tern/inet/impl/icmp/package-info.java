/** ICMP, built into IPv4: input, errors with rate limits, echo endpoints. */
package net.tern.inet.impl.icmp;
