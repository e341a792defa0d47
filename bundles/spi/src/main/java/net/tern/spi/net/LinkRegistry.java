package net.tern.spi.net;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** The registered devices ({@code dev_base_head}, {@code dev_get_by_name}, {@code dev_get_by_index}). */
@ProviderType
public interface LinkRegistry {
    /** All links, by index. */
    List<Link> links();

    Optional<Link> byName(String name);

    Optional<Link> byIndex(int index);
}
