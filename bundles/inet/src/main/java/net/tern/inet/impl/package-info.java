/** IPv4 assembled ({@code inet_init}) and registered as services; the AF_INET family and its protosw table. */
package net.tern.inet.impl;
