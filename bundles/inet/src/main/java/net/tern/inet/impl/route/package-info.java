/** The FIB behind {@code net.tern.inet.route.RouteTable}: local and main tables, kept in step with the links. */
package net.tern.inet.impl.route;
