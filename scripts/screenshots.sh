#!/usr/bin/env bash
# Takes the README's screenshots of the live view the learner's way, and puts them in docs/:
# the distribution is started with --services http on a TUN in a network namespace made for
# the purpose, `net:demo handshake` and `net:demo loss` are typed into its shell, and headless
# Chromium in that namespace opens the page each demo names, as a browser on the host would
# (itests/DemoScreenshotsIT, through the same DevTools client as LiveViewBrowserIT). The test
# also checks what the pictures claim: the handshake drawn first, retransmissions marked, a
# congestion window that fell and grew again.
#
#   scripts/screenshots.sh        as root (a namespace and a TUN); needs ip, curl, chromium
#
# Extra arguments go to Maven (e.g. -o). Writes docs/demo-handshake.png and docs/demo-loss-cwnd.png.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "screenshots.sh: run as root: the page is opened through a TUN in a network namespace" >&2
  exit 1
fi
for tool in ip curl chromium; do
  command -v "$tool" >/dev/null || { echo "screenshots.sh: $tool is not installed" >&2; exit 1; }
done

# The bundles, the distribution and the itests' bundle folder, without running the tests.
mvn -B -q "$@" install -DskipTests
# This one test: no unit tests, failsafe only on it.
mvn -B "$@" -pl itests verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=DemoScreenshotsIT -Dfailsafe.rerunFailingTestsCount=0
for shot in demo-handshake.png demo-loss-cwnd.png; do
  cp "itests/target/browser/$shot" "docs/$shot"
  echo "docs/$shot"
done
