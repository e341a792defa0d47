package net.tern.spi.proc;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One read-only file of the stack's {@code /proc} ({@code proc_create_single}'s show
 * function: {@code snmp_seq_show}, {@code netstat_seq_show}), registered as a service with the
 * property {@value #PATH}: its path without the leading {@code /proc/}, {@code "net/snmp"}.
 * When two services claim a path, the higher {@code service.ranking}, then the older, serves it.
 */
@ConsumerType
public interface ProcFile {
    /** The service property holding the file's path, a String: {@code "net/snmp"}. */
    String PATH = "path";

    /** The file's whole text now. Callable from any thread; never blocks on the network. */
    String read();
}
