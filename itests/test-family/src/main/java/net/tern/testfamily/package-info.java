/**
 * The test-only protocol family {@code testlocal} (family {@value net.tern.testfamily.TestLocal#AF_TESTLOCAL}):
 * in-memory stream and datagram sockets between numbered ports inside one JVM. Its addresses
 * are {@link net.tern.testfamily.LocalSockAddr}; its numbers are in
 * {@link net.tern.testfamily.TestLocal}; {@link net.tern.testfamily.TestLocalFamily} is the
 * {@code ProtocolFamily} service (and can be built without OSGi in unit tests).
 */
@Export
@Version("1.0.0")
package net.tern.testfamily;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
