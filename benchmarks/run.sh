#!/usr/bin/env bash
# Tern against the Linux kernel, side by side in one JVM; see README.md, "Performance".
#   benchmarks/run.sh [--quick]     (--quick: within 2 minutes; the full run within 15)
#   benchmarks/run.sh --tun-only [--tun-offload on|off]   the TUN rows alone (as root: one stream, then 4), with the
#                                   TUN driver's offload on (default) or off; --tun-queues N: its TUN
#                                   queues (0, the default: one per network thread)
#   benchmarks/run.sh --only bulk [--quick]   the bulk rows alone (1, 4, 8 streams; Tern and kernel)
#   benchmarks/run.sh --only cps [--quick]    the connection-rate row alone (Tern and kernel)
# As root it also compares TCP over TUN (Tern) with kernel-to-kernel over veth, in two network
# namespaces it creates and deletes (trap-cleaned); otherwise that part says it is skipped.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
mode=--full
extra=()
only=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) mode=--quick ;;
    --full) ;;
    --tun-only) extra+=(--tun-only) ;;
    --only)
      [[ "${2:-}" == bulk || "${2:-}" == cps ]] || { echo "--only takes bulk or cps" >&2; exit 2; }
      extra+=(--only "$2"); only="$2"; shift ;;
    --tun-offload)
      [[ "${2:-}" == on || "${2:-}" == off ]] || { echo "--tun-offload takes on or off" >&2; exit 2; }
      extra+=(--tun-offload "$2"); shift ;;
    --tun-queues)
      [[ "${2:-}" =~ ^[0-9]+$ ]] || { echo "--tun-queues takes a number (0: one per network thread)" >&2; exit 2; }
      extra+=(--tun-queues "$2"); shift ;;
    *) echo "usage: $0 [--quick] [--tun-only] [--tun-offload on|off] [--tun-queues N] [--only bulk|cps]" >&2; exit 2 ;;
  esac
  shift
done

# Build only when a source is newer than the last build (reactor package, nothing installed).
stamp="$here/target/lib/.built"
if [[ ! -f "$stamp" ]] || [[ -n "$(find "$root/bundles" "$here/src" "$here/pom.xml" -newer "$stamp" \
      \( -name '*.java' -o -name pom.xml \) -print -quit)" ]]; then
  (cd "$root" && mvn -B -q -o -pl benchmarks -am package -DskipTests) || \
    (cd "$root" && mvn -B -q -pl benchmarks -am package -DskipTests)
  touch "$stamp"
fi
cp="$here/target/classes:$here/target/lib/*"
# The kernel's idle row holds as many connections as the descriptor limit allows: raise the soft
# limit to the hard one (two descriptors per connection, both ends in the one JVM).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
java=(java -Xmx16g -Xms1g -XX:+UseParallelGC -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp")

echo "machine: $(nproc) cores, kernel $(uname -r), $(java -version 2>&1 | sed -n 1p), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

args=("$mode" "${extra[@]}")
tunns="" vethns="" sink_pid=""
cleanup() {
  if [[ -n "$sink_pid" ]]; then kill "$sink_pid" 2>/dev/null || true; wait "$sink_pid" 2>/dev/null || true; fi
  if [[ -n "$tunns" ]]; then ip netns del "$tunns" 2>/dev/null || true; fi
  if [[ -n "$vethns" ]]; then ip netns del "$vethns" 2>/dev/null || true; fi
}
trap cleanup EXIT INT TERM

if [[ -n "$only" ]]; then
  args+=(--tun-skipped "--only $only")
elif [[ $(id -u) -ne 0 ]]; then
  args+=(--tun-skipped "not root: TUN and namespaces need CAP_NET_ADMIN")
elif ! command -v ip >/dev/null || [[ ! -c /dev/net/tun ]]; then
  args+=(--tun-skipped "ip (iproute2) or /dev/net/tun missing")
else
  # Namespace A holds the sink, the kernel's end of the TUN and one end of the veth pair;
  # namespace B the other veth end. Nothing is added to the machine's own namespace.
  tunns="ternbench$$a" vethns="ternbench$$b"
  ip netns add "$tunns"
  ip netns add "$vethns"
  ip -n "$tunns" link set lo up
  ip -n "$vethns" link set lo up
  ip -n "$tunns" link add ternveth0 type veth peer name ternveth1 netns "$vethns"
  ip -n "$tunns" addr add 10.202.0.1/24 dev ternveth0
  ip -n "$vethns" addr add 10.202.0.2/24 dev ternveth1
  ip -n "$tunns" link set ternveth0 mtu 1500 up
  ip -n "$vethns" link set ternveth1 mtu 1500 up
  sink_port=5201
  ip netns exec "$tunns" java -Xmx256m -cp "$cp" net.tern.bench.TcpSink "$sink_port" &
  sink_pid=$!
  for _ in $(seq 50); do
    if ip netns exec "$tunns" bash -c "exec 3<>/dev/tcp/10.202.0.1/$sink_port" 2>/dev/null; then break; fi
    sleep 0.1
  done
  args+=(--tun "$tunns" --veth "$vethns" --sink-port "$sink_port")
fi

out="$here/target/last-run.txt"
"${java[@]}" net.tern.bench.Benchmarks "${args[@]}" | tee "$out" | grep -v '^summary:'
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
grep '^summary:' "$out"
