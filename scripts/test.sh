#!/usr/bin/env bash
# Runs every test: the host tools the tests drive (installed when missing and this is root on
# Debian), `mvn -B verify` (unit tests, features verify, distribution, Pax Exam and distribution
# itests, the root-only TUN tests included), then, as root, the interop run against the kernel,
# and last the benchmark harness once as a smoke test (`benchmarks/run.sh --quick`).
#
#   scripts/test.sh            all of it
#   TERN_SKIP_ROOT_TESTS=1 scripts/test.sh   without root: the TUN/namespace tests and the
#                              interop run are skipped (they fail, saying why, if not root and
#                              this variable is unset)
#
# Exits non-zero when any test fails. Extra arguments go to Maven (e.g. -o, -DskipITs).
set -euo pipefail
cd "$(dirname "$0")/.."

# The versions, for the log. sed reads all of its input: head would close the pipe early,
# and under pipefail the writer's broken pipe would fail the run.
java -version 2>&1 | sed -n 1p
mvn -v | sed -n 1p

# Host tools, each with the Debian package that provides it (one place: add new ones here).
#   tshark            reads the capture tests' pcap files back
#   ip, nstat         network namespaces and TUNs for the root tests; the kernel's counters
#   ping              the kernel's side of the TUN ping checks
#   ethtool           the TUN's offloads as the kernel sees them, and turned off mid-transfer
#   socat, nc         the kernel's side of the TCP/UDP interop and TunUpdateTcpIT
#   python3 + scapy   crafted and spoofed packets from inside a test namespace
#   curl              the kernel's HTTP client for the applications run on Tern (AppOverTunIT)
#   chromium          the headless browser that loads the status page's live view (LiveViewBrowserIT,
#                     driven through the DevTools protocol over its pipe: no chromedriver needed)
tools=(
  "tshark:tshark"
  "ip:iproute2"
  "nstat:iproute2"
  "ping:iputils-ping"
  "ethtool:ethtool"
  "socat:socat"
  "nc:netcat-openbsd"
  "python3:python3"
  "curl:curl"
  "chromium:chromium"
)
missing=()
for pair in "${tools[@]}"; do
  command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
if ! /usr/bin/python3 -c 'import scapy' 2>/dev/null; then missing+=(python3-scapy); fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing the tests' host tools: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
    apt-get update -q && apt-get install -y -q --no-install-recommends $(printf '%s\n' "${missing[@]}" | sort -u)
  else
    echo "missing host tools (packages: ${missing[*]}); install them, or run as root on Debian" >&2
    [ "${TERN_SKIP_ROOT_TESTS:-}" = 1 ] || exit 1
  fi
fi

mvn -B verify "$@"

# Interop with the Linux kernel as the peer, on the distribution just built (root: a network
# namespace and a TUN interface).
if [ "$(id -u)" = 0 ]; then
  interop/run.sh
elif [ "${TERN_SKIP_ROOT_TESTS:-}" = 1 ]; then
  echo "interop/run.sh skipped: not root and TERN_SKIP_ROOT_TESTS=1"
else
  echo "interop/run.sh needs root (network namespaces, TUN); run as root or set TERN_SKIP_ROOT_TESTS=1" >&2
  exit 1
fi

# The benchmark harness, so that it cannot rot: the quick run (about 2 minutes; its TUN row only
# as root) must reach its summary line. Its figures are printed, not asserted: a shared
# machine's load moves them.
benchmarks/run.sh --quick
grep -q '^summary:' benchmarks/target/last-run.txt || { echo "benchmarks/run.sh --quick printed no summary" >&2; exit 1; }
