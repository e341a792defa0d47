/**
 * TCP congestion control as a service ({@code struct tcp_congestion_ops},
 * {@code tcp_register_congestion_control}): an algorithm registers a
 * {@link net.tern.tcp.cc.CongestionControl} service with the property {@code name}
 * ({@code reno}, {@code cubic}); TCP creates one {@link net.tern.tcp.cc.CongestionController}
 * per connection and calls its hooks as Linux calls the ops. {@link net.tern.tcp.cc.Reno}
 * holds the building blocks Linux exports to every algorithm ({@code tcp_slow_start},
 * {@code tcp_cong_avoid_ai}, {@code tcp_reno_ssthresh}, {@code tcp_reno_undo_cwnd}).
 *
 * <p>Units are Linux's: windows in segments (MSS-sized packets), times in microseconds.
 */
@Export
@Version("1.2.0")
package net.tern.tcp.cc;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
