package net.tern.udp.impl;

/**
 * UDP's settings: the ephemeral port range, Linux's {@code net.ipv4.ip_local_port_range}
 * (32768 to 60999 by default), from which {@code bind} to port 0 and autobinding draw.
 */
public record UdpSettings(int localPortLow, int localPortHigh) {
    public static final int DEFAULT_LOCAL_PORT_LOW = 32768;
    public static final int DEFAULT_LOCAL_PORT_HIGH = 60999;

    public UdpSettings {
        if (localPortLow < 1 || localPortHigh > 0xffff || localPortLow > localPortHigh) {
            throw new IllegalArgumentException("ip_local_port_range must satisfy 1 <= low <= high <= 65535, got "
                    + localPortLow + " " + localPortHigh);
        }
    }

    public static UdpSettings defaults() {
        return new UdpSettings(DEFAULT_LOCAL_PORT_LOW, DEFAULT_LOCAL_PORT_HIGH);
    }

    /** How many ports the range holds. */
    public int rangeSize() {
        return localPortHigh - localPortLow + 1;
    }

    public boolean inRange(int port) {
        return port >= localPortLow && port <= localPortHigh;
    }
}
