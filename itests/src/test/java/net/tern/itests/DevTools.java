package net.tern.itests;

import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Headless Chromium driven through the Chrome DevTools Protocol over its pipe
 * ({@code --remote-debugging-pipe}: commands in on descriptor 3, replies and events out on 4,
 * each a JSON message ended by a NUL byte), here two FIFOs, so the browser may run inside a
 * test's network namespace ({@code ip netns exec}) while the test talks to it. One page: opened
 * with {@code Target.createTarget} and attached in flat mode; {@link #evaluate} runs a
 * script there ({@code Runtime.evaluate}), {@link #screenshot} saves a PNG
 * ({@code Page.captureScreenshot}). Replies are read with patterns, not a JSON library: the
 * values asked for are strings or numbers.
 */
final class DevTools implements AutoCloseable {
    private static final Pattern SESSION = Pattern.compile("\"sessionId\":\"([^\"]+)\"");
    private static final Pattern TARGET = Pattern.compile("\"targetId\":\"([^\"]+)\"");
    private final Process browser;
    private final OutputStream commands;
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
    private final Thread reader;
    private int nextId = 1;
    private String session;

    private DevTools(Process browser, OutputStream commands, InputStream events) {
        this.browser = browser;
        this.commands = commands;
        this.reader = new Thread(() -> {
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            try {
                int b;
                while ((b = events.read()) >= 0) {
                    if (b == 0) {
                        replies.add(message.toString(StandardCharsets.UTF_8));
                        message.reset();
                    } else {
                        message.write(b);
                    }
                }
            } catch (IOException ended) {
                // the browser went
            }
        }, "devtools-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code chromium} headless in network namespace {@code ns}, {@code width} x {@code height} pixels. */
    static DevTools start(String ns, Path dir, int width, int height) throws IOException, InterruptedException {
        Path in = dir.resolve("cdp-in");
        Path out = dir.resolve("cdp-out");
        HostCommands.run(10, "mkfifo", in.toString(), out.toString());
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns, "sh", "-c",
                "exec chromium --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run "
                        + "--remote-debugging-pipe --user-data-dir=\"$3\" --window-size=" + width + "," + height
                        + " about:blank 3<\"$1\" 4>\"$2\"", "chromium", in.toString(), out.toString(),
                Files.createDirectories(dir.resolve("profile")).toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("chromium.log").toFile()).start();
        // The shell opens the command FIFO first, then the event FIFO: open ours in that order.
        OutputStream commands = new FileOutputStream(in.toFile());
        InputStream events = new FileInputStream(out.toFile());
        return new DevTools(p, commands, events);
    }

    /** Sends {@code method} with {@code params} (JSON) to the page (or the browser before {@link #open}); returns the reply. */
    synchronized String send(String method, String params) throws IOException, InterruptedException {
        int id = nextId++;
        String message = "{\"id\":" + id + (session != null ? ",\"sessionId\":\"" + session + "\"" : "")
                + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
        commands.write(message.getBytes(StandardCharsets.UTF_8));
        commands.write(0);
        commands.flush();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String idField = "{\"id\":" + id + ",";
        while (System.nanoTime() < deadline) {
            String reply = replies.poll(1, TimeUnit.SECONDS);
            if (reply != null && reply.startsWith(idField)) {
                if (reply.contains("\"error\":")) {
                    throw new AssertionError(method + " failed: " + reply);
                }
                return reply;
            }
            if (!browser.isAlive()) {
                throw new AssertionError("chromium exited (" + browser.exitValue() + ") during " + method);
            }
        }
        throw new AssertionError("no reply to " + method + " within 60 s");
    }

    /** Opens {@code url} in a new page and attaches to it. */
    void open(String url) throws IOException, InterruptedException {
        Matcher target = TARGET.matcher(send("Target.createTarget", "{\"url\":\"" + url + "\"}"));
        if (!target.find()) {
            throw new AssertionError("no target id");
        }
        Matcher s = SESSION.matcher(send("Target.attachToTarget", "{\"targetId\":\"" + target.group(1)
                + "\",\"flatten\":true}"));
        if (!s.find()) {
            throw new AssertionError("no session id");
        }
        session = s.group(1);
    }

    /** The value of {@code expression} in the page, which must give a string (use JSON.stringify or String()). */
    String evaluate(String expression) throws IOException, InterruptedException {
        String reply = send("Runtime.evaluate", "{\"expression\":" + quote(expression) + ",\"returnByValue\":true}");
        Matcher m = Pattern.compile("\"value\":\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(reply);
        if (!m.find()) {
            throw new AssertionError("not a string: " + reply);
        }
        return m.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
    }

    /** Saves the page as a PNG at {@code file}: the whole of it, or only what the window shows. */
    void screenshot(Path file, boolean whole) throws IOException, InterruptedException {
        String reply = send("Page.captureScreenshot", "{\"format\":\"png\",\"captureBeyondViewport\":" + whole + "}");
        Matcher m = Pattern.compile("\"data\":\"([A-Za-z0-9+/=]+)\"").matcher(reply);
        if (!m.find()) {
            throw new AssertionError("no screenshot in the reply");
        }
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(m.group(1)));
    }

    /** Waits up to {@code seconds} for {@code condition} (a script) to be true in the page; fails naming {@code what}. */
    void await(String condition, String what, long seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String last = "";
        while (System.nanoTime() < deadline) {
            last = evaluate("String(" + condition + ")");
            if (last.equals("true")) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the page never showed " + what + " (" + condition + " is " + last + ")");
    }

    /** The whole number {@code name} in {@code json}, a flat object the page gave (JSON.stringify). */
    static long number(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(-?\\d+)").matcher(json);
        if (!m.find()) {
            throw new AssertionError("no " + name + " in " + json);
        }
        return Long.parseLong(m.group(1));
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    @Override
    public void close() throws Exception {
        try {
            commands.close();
        } finally {
            HostCommands.stop(browser);
        }
    }
}
