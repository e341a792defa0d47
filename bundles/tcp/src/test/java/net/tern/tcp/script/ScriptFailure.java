package net.tern.tcp.script;

/**
 * A script that did not parse or did not run as written: names the script and line, quotes
 * the line, and says what was expected and what happened instead.
 */
public final class ScriptFailure extends AssertionError {
    private static final long serialVersionUID = 1L;

    private final String script;
    private final int line;

    public ScriptFailure(String script, int line, String text, String message) {
        super(script + ":" + line + ": " + message + "\n    at line: " + text);
        this.script = script;
        this.line = line;
    }

    public String script() {
        return script;
    }

    public int line() {
        return line;
    }
}
