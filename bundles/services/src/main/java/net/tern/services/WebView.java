package net.tern.services;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live view's files, served as they are from the bundle ({@code web/} on its class
 * path): the connection page ({@code /conn.html}: a sequence diagram of the segments and plots
 * of cwnd, ssthresh, packets in flight, srtt and the delivery rate, fed by
 * {@code /trace/events}), its script and style, and uPlot (MIT licence, {@code /web/uPlot.LICENSE}),
 * the charting library the build fetches from the npm registry. Nothing is loaded from
 * elsewhere, so the page works without internet access.
 */
final class WebView {
    private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

    private WebView() {
    }

    /** The file served at {@code path} ({@code /conn.html}, {@code /web/...}), or null when there is none. */
    static String file(String path) {
        String name;
        if (path.equals("/conn.html")) {
            name = "conn.html";
        } else if (path.startsWith("/web/") && path.substring(5).matches("[A-Za-z0-9._-]+")) {
            name = path.substring(5);
        } else {
            return null;
        }
        String cached = CACHE.get(name);
        if (cached != null) {
            return cached;
        }
        try (InputStream in = WebView.class.getResourceAsStream("/web/" + name)) {
            if (in == null) {
                return null;
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            CACHE.put(name, text);
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The media type of a file by its name. */
    static String type(String path) {
        if (path.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (path.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (path.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        return "text/plain; charset=utf-8";
    }
}
