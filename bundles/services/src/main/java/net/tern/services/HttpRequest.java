package net.tern.services;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed HTTP/1.x request head (RFC 9112 sections 2-5): request line and header fields.
 * {@link #parse} is strict where being lenient would be a risk (bad tokens, missing
 * {@code Host} in HTTP/1.1, repeated or malformed {@code Content-Length}, obsolete line
 * folding) and answers with the status the RFC names; it never throws anything but
 * {@link HttpError}.
 */
record HttpRequest(String method, String path, String query, int minorVersion, Map<String, String> headers) {
    /** The longest request head accepted; a longer one is answered 431. */
    static final int MAX_HEAD = 8192;

    /** A request that cannot be served, with the status to answer. */
    static final class HttpError extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        HttpError(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /** The header's value (names are case-insensitive), or null. */
    String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The query parameter {@code name} ({@code a=b&c=d}, percent-decoded), or null. */
    String param(String name) {
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equals(name)) {
                try {
                    return java.net.URLDecoder.decode(eq < 0 ? "" : pair.substring(eq + 1), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return null; // a malformed escape: as if absent
                }
            }
        }
        return null;
    }

    /** Whether the connection stays open after the response (RFC 9112 section 9.3). */
    boolean keepAlive() {
        String connection = header("connection");
        String tokens = connection == null ? "" : connection.toLowerCase(Locale.ROOT);
        if (minorVersion >= 1) {
            return !hasToken(tokens, "close");
        }
        return hasToken(tokens, "keep-alive");
    }

    private static boolean hasToken(String list, String token) {
        for (String t : list.split(",")) {
            if (t.strip().equals(token)) {
                return true;
            }
        }
        return false;
    }

    /** The body length the request announces (0 without {@code Content-Length}). */
    long contentLength() throws HttpError {
        String value = header("content-length");
        if (value == null) {
            return 0;
        }
        if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new HttpError(400, "bad Content-Length");
        }
        return Long.parseLong(value);
    }

    /** Parses the head {@code bytes[0, length)}, which ends with the empty line (CR LF CR LF). */
    static HttpRequest parse(byte[] bytes, int length) throws HttpError {
        // Header fields are ASCII in practice; ISO-8859-1 keeps every byte one char for the checks.
        String head = new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
        String[] lines = head.split("\r\n", -1);
        String[] requestLine = lines[0].split(" ", -1);
        if (requestLine.length != 3 || !isToken(requestLine[0]) || requestLine[1].isEmpty()) {
            throw new HttpError(400, "malformed request line");
        }
        String version = requestLine[2];
        int minor;
        if (version.equals("HTTP/1.1")) {
            minor = 1;
        } else if (version.equals("HTTP/1.0")) {
            minor = 0;
        } else if (version.matches("HTTP/[0-9]\\.[0-9]")) {
            throw new HttpError(505, "version " + version + " not supported");
        } else {
            throw new HttpError(400, "malformed HTTP version");
        }
        String target = requestLine[1];
        if (!target.startsWith("/")) {
            throw new HttpError(400, "request target must be a path");
        }
        for (char c : target.toCharArray()) {
            if (c <= ' ' || c >= 0x7f) {
                throw new HttpError(400, "bad character in request target");
            }
        }
        int query = target.indexOf('?');
        String path = query < 0 ? target : target.substring(0, query);
        String queryText = query < 0 ? "" : target.substring(query + 1);
        Map<String, String> headers = new LinkedHashMap<>();
        // lines ends with two empty strings: the empty line, and what follows its CR LF.
        for (int i = 1; i < lines.length - 2; i++) {
            String line = lines[i];
            if (line.isEmpty() || line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                throw new HttpError(400, "obsolete line folding or empty field line");
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !isToken(line.substring(0, colon))) {
                throw new HttpError(400, "malformed header field");
            }
            String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            String previous = headers.putIfAbsent(name, value);
            if (previous != null) {
                if (name.equals("content-length") || name.equals("host")) {
                    throw new HttpError(400, "repeated " + name);
                }
                headers.put(name, previous + ", " + value);
            }
        }
        if (minor == 1 && !headers.containsKey("host")) {
            throw new HttpError(400, "HTTP/1.1 request without Host");
        }
        HttpRequest request = new HttpRequest(requestLine[0], path, queryText, minor, headers);
        request.contentLength(); // validates it now
        return request;
    }

    /** RFC 9110 section 5.6.2: tchar. */
    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (char c : s.toCharArray()) {
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
