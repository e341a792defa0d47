/** IPv6's implementation: {@code inet6_init} and the parts it assembles. Exports nothing. */
package net.tern.inet6.impl;
