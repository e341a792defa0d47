package net.tern.shell;

import java.util.List;

/**
 * The words after a command, read left to right as iproute2 walks {@code argv} with
 * {@code NEXT_ARG()}, with its {@code matches()} rule for abbreviations.
 */
final class Args {
    private final List<String> words;
    private int next;

    Args(String... words) {
        this.words = words == null ? List.of() : List.of(words);
    }

    boolean hasNext() {
        return next < words.size();
    }

    /** The next word, without taking it. Only when {@link #hasNext()}. */
    String peek() {
        return words.get(next);
    }

    /** Takes the next word. Only when {@link #hasNext()}. */
    String next() {
        return words.get(next++);
    }

    /** The words not taken yet, without taking them. */
    List<String> remaining() {
        return words.subList(next, words.size());
    }

    /** The value after a keyword ({@code NEXT_ARG()}): missing, it is iproute2's "not complete" error. */
    String nextValue() {
        if (!hasNext()) {
            throw Iproute2Errors.incomplete();
        }
        return next();
    }

    /**
     * iproute2's {@code matches(word, keyword)}: whether {@code word} abbreviates
     * {@code keyword} ({@code a}, {@code addr} and {@code address} all name {@code address}).
     */
    static boolean matches(String word, String keyword) {
        return !word.isEmpty() && keyword.startsWith(word);
    }
}
