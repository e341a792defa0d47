package net.tern.inet.impl.config;

import java.util.ArrayList;
import java.util.List;
import net.tern.api.socket.ErrnoException;

/** What the configuration components share: reading list values, and a change that may be refused. */
final class ConfigValues {
    private ConfigValues() {
    }

    /** A change to a link or the routing table, refused with an errno. */
    @FunctionalInterface
    interface LinkChange {
        void run() throws ErrnoException;
    }

    /**
     * The words of a list value: a {@code .cfg} file gives one string ({@code a, b}), a typed
     * {@code .config} file or Config Admin an array; each element may hold several words
     * separated by commas or spaces.
     */
    static List<String> words(String[] values) {
        List<String> words = new ArrayList<>();
        if (values == null) {
            return words;
        }
        for (String value : values) {
            if (value == null) {
                continue;
            }
            for (String word : value.split("[,\\s]+")) {
                if (!word.isEmpty()) {
                    words.add(word);
                }
            }
        }
        return words;
    }
}
