/**
 * Time: the system {@link net.tern.spi.net.Clock} and the hashed timer wheel behind the
 * {@link net.tern.spi.net.TimerService} ({@code kernel/time/timer.c}).
 */
package net.tern.core.time;
