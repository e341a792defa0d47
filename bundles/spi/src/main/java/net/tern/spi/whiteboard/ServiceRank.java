package net.tern.spi.whiteboard;

import java.util.Map;

/**
 * Where a registration stands among others for the same slot, in the order OSGi ranks
 * services: the higher {@code service.ranking} first, then on equal rankings the lower
 * {@code service.id} (the older service). {@link #compareTo} sorts in that order, so the
 * first of a sorted list is the one that serves.
 *
 * <p>{@code order} is the service id under OSGi. Code that registers without a framework
 * (tests, built-in handlers) passes any number that orders its registrations; a properties
 * map without a service id gets {@link #UNKNOWN_ORDER}, behind every service that has one.
 *
 * @param ranking the service ranking; higher wins
 * @param order the tie-breaker between equal rankings; lower wins
 */
public record ServiceRank(int ranking, long order) implements Comparable<ServiceRank> {
    /** The service property of the ranking ({@code org.osgi.framework.Constants.SERVICE_RANKING}). */
    public static final String SERVICE_RANKING = "service.ranking";

    /** The service property of the service id ({@code org.osgi.framework.Constants.SERVICE_ID}). */
    public static final String SERVICE_ID = "service.id";

    /** The order of a registration whose properties carry no service id: after every one that does. */
    public static final long UNKNOWN_ORDER = Long.MAX_VALUE;

    /**
     * The rank a service's properties give it. A ranking that is not an Integer counts as 0,
     * as the OSGi core specification says; a missing service id is {@link #UNKNOWN_ORDER}.
     * A null map is a service with neither.
     */
    public static ServiceRank of(Map<String, ?> properties) {
        Object ranking = properties == null ? null : properties.get(SERVICE_RANKING);
        Object id = properties == null ? null : properties.get(SERVICE_ID);
        return new ServiceRank(ranking instanceof Integer i ? i : 0,
                id instanceof Number n ? n.longValue() : UNKNOWN_ORDER);
    }

    /** Negative when this rank takes precedence over {@code other}: it would hold a slot both claim. */
    @Override
    public int compareTo(ServiceRank other) {
        if (ranking != other.ranking) {
            return ranking > other.ranking ? -1 : 1;
        }
        return Long.compare(order, other.order);
    }

    /** Whether a registration of this rank holds a slot against one of {@code other}. */
    public boolean outranks(ServiceRank other) {
        return compareTo(other) < 0;
    }
}
