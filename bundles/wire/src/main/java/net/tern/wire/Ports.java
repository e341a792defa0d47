package net.tern.wire;

/** Range checks the representations share. */
final class Ports {
    private Ports() {
    }

    static void check(String what, int port) {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException(what + " out of range 0..65535: " + port);
        }
    }
}
