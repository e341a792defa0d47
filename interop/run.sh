#!/usr/bin/env bash
# Interop with the Linux kernel as the peer: Tern on a TUN interface inside a network
# namespace this script creates, the kernel on the other side of the TUN (10.99.0.1 and
# fd00:99::1), Tern at 10.99.0.2 and fd00:99::2. Run as root from the repository after `mvn -B verify` (or package).
#
#   interop/run.sh            run every check, print "N passed, N failed of T checks"
#
# IPv6: the kernel pings Tern's IPv6 address and Tern pings the kernel's (net:ping -6) at
# 56, 1400 and 4000 bytes, the last fragmented both ways; the kernel is the IPv6 client of
# Tern's echo (10 MiB, SHA-256), chargen, UDP echo, closed ports and status page; Tern's
# capture of IPv6 traffic on the TUN is read back by tshark, which must find no malformed
# packet and no bad checksum.
#
# Environment: TERN (the launcher, default distribution/target/tern/bin/tern),
# INTEROP_BYTES (bulk transfer size, default 10 MiB).
#
# Every check is counted: one that cannot run (Tern did not start, net:impair is missing)
# fails, saying why. A ping passes only when every echo request was answered.
#
# Everything it creates (namespace, TUN, temporary files, processes) is removed on exit,
# failure and interruption included. Traffic stays inside the namespace. Every wait is
# bounded; only processes this script started are signalled, by PID.
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TERN=${TERN:-$ROOT/distribution/target/tern/bin/tern}
BYTES=${INTEROP_BYTES:-10485760}
NS="ternio-$$-$RANDOM"
# A second namespace behind the kernel, over a veth of MTU 1280 on the kernel's side, for Packet Too Big.
NS2="${NS}-far"
FAR_IP6=fd00:99::5
NS2_CREATED=0
TUN=terntun0
KERNEL_IP=10.99.0.1
TERN_IP=10.99.0.2
PREFIX=24
KERNEL_IP6=fd00:99::1
TERN_IP6=fd00:99::2
PREFIX6=64
IMPAIR_SPEC="loss 2 duplicate 1 reorder 5 seed 7"
WORK=$(mktemp -d /tmp/tern-interop.XXXXXX)
PIDS=()
PASSED=0
FAILED=0
NS_CREATED=0
TERN_PID=

log() { printf '%s\n' "$*"; }

# track PID: remember a process this script started, also from a check's subshell.
track() { echo "$1" >> "$WORK/pids"; }

cleanup() {
  local pid
  [ -f "$WORK/pids" ] && while read -r pid; do PIDS+=("$pid"); done < "$WORK/pids"
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    fi
  done
  if [ "$NS2_CREATED" = 1 ]; then
    ip netns del "$NS2" 2>/dev/null || log "warning: could not delete namespace $NS2"
  fi
  if [ "$NS_CREATED" = 1 ]; then
    ip netns del "$NS" 2>/dev/null || log "warning: could not delete namespace $NS"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# in_ns CMD...: runs CMD inside the namespace.
in_ns() { ip netns exec "$NS" "$@"; }

pass() { PASSED=$((PASSED + 1)); log "PASS  $1"; }
fail() { FAILED=$((FAILED + 1)); log "FAIL  $1${2:+: $2}"; }

# fail_all REASON "NAME:FUNCTION ARGS"...: fails each check of a list that cannot run.
fail_all() {
  local reason=$1 entry; shift
  for entry in "$@"; do fail "${entry%%:*}" "$reason"; done
}
# run_all "NAME:FUNCTION ARGS"...: runs each check of a list.
run_all() {
  local entry
  # shellcheck disable=SC2086 # the function and its arguments are words
  for entry in "$@"; do check "${entry%%:*}" ${entry#*:}; done
}

# all_replies OUTPUT COUNT: the ping summary says COUNT transmitted and COUNT received (as
# iputils' ping and net:ping print it); ping's own status is 0 with a single reply.
all_replies() {
  case "$1" in
    *"$2 packets transmitted, $2 received"*) return 0 ;;
    *) printf '%s\n' "$1" | grep 'packets transmitted' || echo "no ping summary"; return 1 ;;
  esac
}

# check NAME CMD...: runs CMD (bounded by the caller) and records its outcome.
check() {
  local name=$1; shift
  local out start=$(date +%s%N) ms
  if out=$("$@" 2>&1); then
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    pass "$name ($ms ms)"
  else
    fail "$name" "$(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"
  fi
}

# --- preconditions ---------------------------------------------------------------------
if [ "$(id -u)" != 0 ]; then
  log "interop/run.sh must run as root: it creates a network namespace and a TUN interface"
  exit 2
fi
for tool in ip ping socat nc sha256sum timeout head cmp nstat; do
  command -v "$tool" >/dev/null || { log "missing tool: $tool (apt-get install iproute2 iputils-ping socat netcat-openbsd)"; exit 2; }
done
[ -x "$TERN" ] || { log "no launcher at $TERN: build first (mvn -B -DskipTests package)"; exit 2; }
[ -c /dev/net/tun ] || { log "/dev/net/tun is missing: load the tun module"; exit 2; }

# --- the namespace and the kernel's side of the TUN ----------------------------------------
ip netns add "$NS" || { log "cannot create namespace $NS"; exit 2; }
NS_CREATED=1
in_ns ip link set lo up
in_ns ip tuntap add dev "$TUN" mode tun || { log "cannot create $TUN in $NS"; exit 2; }
in_ns ip addr add "$KERNEL_IP/$PREFIX" dev "$TUN"
# No duplicate address detection: a TUN has no neighbour discovery (nor does Tern on it).
in_ns ip -6 addr add "$KERNEL_IP6/$PREFIX6" dev "$TUN" nodad
in_ns ip link set "$TUN" up
log "namespace $NS: kernel $KERNEL_IP/$PREFIX and $KERNEL_IP6/$PREFIX6 on $TUN, Tern $TERN_IP and $TERN_IP6"

head -c "$BYTES" /dev/urandom > "$WORK/data"
DATA_SUM=$(sha256sum < "$WORK/data" | cut -d' ' -f1)

# start_tern LOG ARGS...: Tern headless in the namespace; waits (bounded) until it says it runs.
start_tern() {
  local logfile=$1; shift
  # ip netns exec execs the launcher, which execs java: $! is the JVM's PID.
  ip netns exec "$NS" "$TERN" --tun "$TUN" --address "$TERN_IP/$PREFIX" --address "$TERN_IP6/$PREFIX6" \
    --headless "$@" > "$logfile" 2>&1 &
  TERN_PID=$!
  track "$TERN_PID"
  for _ in $(seq 600); do
    grep -q "running headless" "$logfile" && return 0
    kill -0 "$TERN_PID" 2>/dev/null || { wait "$TERN_PID"; return 1; }
    sleep 0.1
  done
  return 1
}

# stop_tern: SIGTERM, then a bounded wait for a clean exit (the JVM's status for SIGTERM is 143).
stop_tern() {
  [ -n "$TERN_PID" ] || return 0
  kill -TERM "$TERN_PID" 2>/dev/null
  local status=0
  for _ in $(seq 200); do kill -0 "$TERN_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$TERN_PID" 2>/dev/null; then
    kill -KILL "$TERN_PID"; wait "$TERN_PID" 2>/dev/null; TERN_PID=; return 1
  fi
  wait "$TERN_PID"; status=$?
  TERN_PID=
  [ "$status" = 0 ] || [ "$status" = 143 ]
}

# tern_run ARGS...: a one-shot Tern on the TUN running -c commands (bounded).
tern_run() { in_ns timeout 240 "$TERN" --tun "$TUN" --address "$TERN_IP/$PREFIX" "$@"; }

# The RFC 864 text for BYTES bytes, built from its definition independently of Tern's code.
chargen_expected() {
  local printable="" i line
  for i in $(seq 32 126); do printable+=$(printf "\\$(printf '%03o' "$i")"); done
  local doubled="$printable$printable" cycle=""
  for i in $(seq 0 94); do line=${doubled:$i:72}; cycle+="$line"$'\r\n'; done
  local reps=$(( BYTES / 7030 + 1 ))
  for i in $(seq "$reps"); do printf '%s' "$cycle"; done | head -c "$BYTES"
}

# --- kernel -> Tern ----------------------------------------------------------------------
ping_kernel_to_tern() {
  local out; out=$(in_ns timeout 30 ping -n -c 3 -i 0.2 -W 3 -s "$1" "$TERN_IP" 2>&1)
  all_replies "$out" 3
}
# ping6_kernel_to_tern SIZE: the kernel pings Tern's IPv6 address (4000 bytes: fragmented
# by the kernel, reassembled by Tern, the reply fragmented by Tern).
ping6_kernel_to_tern() {
  local out; out=$(in_ns timeout 30 ping -6 -n -c 3 -i 0.2 -W 3 -s "$1" "$TERN_IP6" 2>&1)
  all_replies "$out" 3
}
# The kernel -> Tern checks take Tern's address (IPv4's by default); nc and socat pick the
# family from it.
tcp_echo_from_kernel() {
  in_ns timeout 300 nc -N -w 30 "${1:-$TERN_IP}" 7 < "$WORK/data" > "$WORK/echoed" || return 1
  local sum; sum=$(sha256sum < "$WORK/echoed" | cut -d' ' -f1)
  [ "$sum" = "$DATA_SUM" ] || { echo "echoed $(stat -c %s "$WORK/echoed") bytes, sha256 $sum != $DATA_SUM"; return 1; }
}
tcp_discard_from_kernel() {
  local got; got=$(in_ns timeout 300 nc -N -w 30 "$TERN_IP" 9 < "$WORK/data" | wc -c) || return 1
  [ "$got" = 0 ] || { echo "discard answered $got bytes"; return 1; }
}
chargen_from_kernel() {
  in_ns timeout 300 nc -d -w 30 "${1:-$TERN_IP}" 19 | head -c "$BYTES" > "$WORK/chargen"
  [ "$(stat -c %s "$WORK/chargen")" = "$BYTES" ] || { echo "read $(stat -c %s "$WORK/chargen") bytes"; return 1; }
  [ -f "$WORK/chargen.expected" ] || chargen_expected > "$WORK/chargen.expected"
  cmp "$WORK/chargen" "$WORK/chargen.expected"
}
# socat_udp ADDRESS PORT: socat's name of a UDP peer, UDP6:[a]:p for an IPv6 address.
socat_udp() { case "$1" in *:*) echo "UDP6:[$1]:$2" ;; *) echo "UDP:$1:$2" ;; esac; }
udp_echo_from_kernel() {
  local reply; reply=$(printf 'interop datagram' | in_ns timeout 10 socat -T 3 - "$(socat_udp "${1:-$TERN_IP}" 7)") || return 1
  [ "$reply" = "interop datagram" ] || { echo "reply '$reply'"; return 1; }
}
closed_tcp_port_refuses() {
  local out; out=$(in_ns timeout 10 nc -z -v -w 3 "${1:-$TERN_IP}" 8 2>&1)
  case "$out" in *refused*) return 0 ;; *) echo "$out"; return 1 ;; esac
}
# closed_udp_port_unreachable [ADDRESS COUNTER]: Tern answers a datagram to a closed port
# with a port unreachable, which the kernel counts (IcmpInDestUnreachs, Icmp6InDestUnreachs).
closed_udp_port_unreachable() {
  local to=${1:-$TERN_IP} counter=${2:-IcmpInDestUnreachs} before after
  before=$(in_ns nstat -az "$counter" | awk -v c="$counter" '$1 == c {print $2}')
  printf 'x' | in_ns timeout 5 socat -T 1 - "$(socat_udp "$to" 8)" > /dev/null 2>&1
  sleep 0.5
  after=$(in_ns nstat -az "$counter" | awk -v c="$counter" '$1 == c {print $2}')
  [ "${after:-0}" -gt "${before:-0}" ] || { echo "$counter stayed at ${after:-0}"; return 1; }
}
http_status_page() {
  local page
  page=$(printf 'GET / HTTP/1.1\r\nHost: tern\r\nConnection: close\r\n\r\n' | in_ns timeout 10 nc -N -w 5 "$TERN_IP" 80) || return 1
  case "$page" in "HTTP/1.1 200 OK"*"$TUN"*"$TERN_IP/$PREFIX"*) return 0 ;; *) echo "${page:0:200}"; return 1 ;; esac
}

http6_status_page() {
  local page
  page=$(printf 'GET / HTTP/1.1\r\nHost: tern\r\nConnection: close\r\n\r\n' | in_ns timeout 10 nc -6 -N -w 5 "$TERN_IP6" 80) || return 1
  case "$page" in "HTTP/1.1 200 OK"*"$TERN_IP6/$PREFIX6"*) return 0 ;; *) echo "${page:0:200}"; return 1 ;; esac
}

# --- Tern -> kernel ----------------------------------------------------------------------
ping_tern_to_kernel() {
  local out; out=$(tern_run -c "net:ping -n -c 3 -i 0.2 -W 3 -s $1 $KERNEL_IP" 2>&1)
  all_replies "$out" 3
}
# ping6_tern_to_kernel SIZE: net:ping -6 from a one-shot Tern to the kernel's IPv6 address.
ping6_tern_to_kernel() {
  local out; out=$(in_ns timeout 240 "$TERN" --tun "$TUN" --address "$TERN_IP/$PREFIX" --address "$TERN_IP6/$PREFIX6" \
    -c "net:ping -6 -n -c 3 -i 0.2 -W 3 -s $1 $KERNEL_IP6" 2>&1)
  all_replies "$out" 3
}
# tcp_from_tern_client [TERN ARGS...]: 10 MiB from net:nc in a one-shot Tern to a socat server.
tcp_from_tern_client() {
  rm -f "$WORK/received"
  ip netns exec "$NS" timeout 300 socat -u "TCP-LISTEN:5001,reuseaddr,bind=$KERNEL_IP" \
    "OPEN:$WORK/received,creat,trunc" &
  local server=$!
  track "$server"
  for _ in $(seq 50); do in_ns ss -ltn | grep -q ":5001 " && break; sleep 0.1; done
  tern_run "$@" -c "net:nc -w 30 -i $WORK/data $KERNEL_IP 5001" || { kill "$server" 2>/dev/null; wait "$server"; return 1; }
  for _ in $(seq 100); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
  kill "$server" 2>/dev/null; wait "$server" 2>/dev/null
  local sum; sum=$(sha256sum < "$WORK/received" | cut -d' ' -f1)
  [ "$sum" = "$DATA_SUM" ] || { echo "received $(stat -c %s "$WORK/received") bytes, sha256 $sum != $DATA_SUM"; return 1; }
}

# tern6_run ARGS...: a one-shot Tern on the TUN with its IPv4 and IPv6 addresses (bounded).
tern6_run() { in_ns timeout 240 "$TERN" --tun "$TUN" --address "$TERN_IP/$PREFIX" --address "$TERN_IP6/$PREFIX6" "$@"; }

# tcp6_from_tern_client: 10 MiB from net:nc over IPv6 to a socat server on the kernel's IPv6 address.
tcp6_from_tern_client() {
  rm -f "$WORK/received6"
  ip netns exec "$NS" timeout 300 socat -u "TCP6-LISTEN:5002,reuseaddr,bind=[$KERNEL_IP6]" \
    "OPEN:$WORK/received6,creat,trunc" &
  local server=$!
  track "$server"
  for _ in $(seq 50); do in_ns ss -ltn | grep -q ":5002 " && break; sleep 0.1; done
  tern6_run -c "net:nc -w 30 -i $WORK/data $KERNEL_IP6 5002" || { kill "$server" 2>/dev/null; wait "$server"; return 1; }
  for _ in $(seq 100); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
  kill "$server" 2>/dev/null; wait "$server" 2>/dev/null
  local sum; sum=$(sha256sum < "$WORK/received6" | cut -d' ' -f1)
  [ "$sum" = "$DATA_SUM" ] || { echo "received $(stat -c %s "$WORK/received6") bytes, sha256 $sum != $DATA_SUM"; return 1; }
}
# udp6_echo_from_tern: one datagram from net:nc -u over IPv6, echoed by a socat UDP6 server.
udp6_echo_from_tern() {
  ip netns exec "$NS" timeout 60 socat "UDP6-LISTEN:5003,bind=[$KERNEL_IP6]" EXEC:cat &
  local server=$!
  track "$server"
  for _ in $(seq 50); do in_ns ss -lun | grep -q ":5003 " && break; sleep 0.1; done
  local out; out=$(tern6_run -c "net:nc -u -w 5 $KERNEL_IP6 5003 interop datagram over IPv6" 2>&1)
  kill "$server" 2>/dev/null; wait "$server" 2>/dev/null
  case "$out" in *"interop datagram over IPv6"*) return 0 ;; *) echo "$out" | tail -n 3; return 1 ;; esac
}
# tcp6_through_smaller_mtu: 10 MiB from net:nc to $FAR_IP6, which the kernel forwards into a
# second namespace over a veth whose kernel side has MTU 1280: Tern's 1500-byte segments draw
# the kernel's ICMPv6 Packet Too Big, Tern lowers its segment size to the path MTU (1280 - 60,
# less the timestamps), and the data arrive whole (a router never fragments IPv6).
# far_namespace: the second namespace and the kernel's route to $FAR_IP6 through it (main shell).
far_namespace() {
  ip netns add "$NS2" || return 1
  NS2_CREATED=1
  in_ns sysctl -qw net.ipv6.conf.all.forwarding=1 || return 1
  # 1280 towards the far end only: its own MTU (1500) makes it offer MSS 1440, so Tern's full
  # segments meet the narrow link and only Packet Too Big can tell Tern.
  ip link add farveth0 netns "$NS" mtu 1280 type veth peer name farveth1 netns "$NS2" mtu 1500 || return 1
  in_ns ip -6 addr add fd00:98::1/64 dev farveth0 nodad
  in_ns ip link set farveth0 up
  ip netns exec "$NS2" ip link set lo up
  ip netns exec "$NS2" ip -6 addr add fd00:98::2/64 dev farveth1 nodad
  ip netns exec "$NS2" ip -6 addr add "$FAR_IP6/128" dev lo
  ip netns exec "$NS2" ip link set farveth1 up
  ip netns exec "$NS2" ip -6 route add default via fd00:98::1 dev farveth1
  in_ns ip -6 route add "$FAR_IP6/128" via fd00:98::2 dev farveth0
}
tcp6_through_smaller_mtu() {
  [ "$NS2_CREATED" = 1 ] || { echo "no second namespace"; return 1; }
  rm -f "$WORK/received-far"
  ip netns exec "$NS2" timeout 300 socat -u "TCP6-LISTEN:5004,reuseaddr,bind=[$FAR_IP6]" \
    "OPEN:$WORK/received-far,creat,trunc" &
  local server=$!
  track "$server"
  for _ in $(seq 50); do ip netns exec "$NS2" ss -ltn | grep -q ":5004 " && break; sleep 0.1; done
  local before after
  before=$(in_ns nstat -az Icmp6OutPktTooBigs | awk '/Icmp6OutPktTooBigs/ {print $2}')
  tern6_run -c "net:nc -w 30 -i $WORK/data $FAR_IP6 5004" || { kill "$server" 2>/dev/null; wait "$server"; return 1; }
  for _ in $(seq 100); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
  kill "$server" 2>/dev/null; wait "$server" 2>/dev/null
  after=$(in_ns nstat -az Icmp6OutPktTooBigs | awk '/Icmp6OutPktTooBigs/ {print $2}')
  [ "${after:-0}" -gt "${before:-0}" ] || { echo "the kernel sent no Packet Too Big"; return 1; }
  local sum; sum=$(sha256sum < "$WORK/received-far" | cut -d' ' -f1)
  [ "$sum" = "$DATA_SUM" ] || { echo "received $(stat -c %s "$WORK/received-far") bytes, sha256 $sum != $DATA_SUM"; return 1; }
  echo "kernel sent $(( ${after:-0} - ${before:-0} )) Packet Too Big"
}
# capture6_tshark_clean: a one-shot Tern captures on the TUN (net:capture -w, pcap) while the
# kernel pings it over IPv6 (56 and 4000 bytes: fragments both ways) and fetches its status
# page over IPv6; tshark reads the file with IPv6, ICMPv6 and TCP checksums verified and must
# find the echo replies, the fragments, the TCP segments and no malformed packet or bad checksum.
capture6_tshark_clean() {
  command -v tshark > /dev/null || { echo "tshark is not installed"; return 1; }
  rm -f "$WORK/v6.pcap"
  tern6_run --services http -c "net:capture -i $TUN -G 8 -w $WORK/v6.pcap" > "$WORK/capture.log" 2>&1 &
  local tern=$!
  track "$tern"
  # The capture has begun once its file exists (net:capture opens it, then its packet socket).
  for _ in $(seq 300); do [ -e "$WORK/v6.pcap" ] && break; kill -0 "$tern" 2>/dev/null || break; sleep 0.1; done
  sleep 0.5
  in_ns timeout 10 ping -6 -n -c 2 -i 0.2 -W 2 -s 4000 "$TERN_IP6" > /dev/null 2>&1
  printf 'GET / HTTP/1.1\r\nHost: tern\r\nConnection: close\r\n\r\n' | in_ns timeout 10 nc -6 -N -w 5 "$TERN_IP6" 80 > /dev/null 2>&1
  for _ in $(seq 300); do kill -0 "$tern" 2>/dev/null || break; sleep 0.1; done
  wait "$tern" 2>/dev/null
  [ -s "$WORK/v6.pcap" ] || { echo "no capture written: $(tail -n 3 "$WORK/capture.log" | tr '\n' ' ')"; return 1; }
  # Wireshark verifies ICMPv6 checksums always, TCP's and UDP's when asked.
  local opts=(-n -r "$WORK/v6.pcap" -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE)
  tshark "${opts[@]}" > "$WORK/v6.txt" 2> "$WORK/tshark.err" || { echo "tshark failed: $(tail -n 2 "$WORK/tshark.err")"; return 1; }
  local bad; bad=$(tshark "${opts[@]}" -Y '_ws.malformed || _ws.expert.severity >= error || icmpv6.checksum.status == 0 || tcp.checksum.status == 0 || udp.checksum.status == 0' 2>/dev/null | wc -l)
  local good; good=$(tshark "${opts[@]}" -Y 'tcp.checksum.status == 1' 2>/dev/null | wc -l)
  local replies; replies=$(tshark "${opts[@]}" -Y "icmpv6.type == 129 && ipv6.src == $TERN_IP6" 2>/dev/null | wc -l)
  local frags; frags=$(tshark "${opts[@]}" -Y 'ipv6.fragment' 2>/dev/null | wc -l)
  local http; http=$(tshark "${opts[@]}" -Y "tcp.srcport == 80 && ipv6.src == $TERN_IP6" 2>/dev/null | wc -l)
  local total; total=$(wc -l < "$WORK/v6.txt")
  echo "tshark: $total packets, $replies echo replies from Tern, $frags fragments, $http TCP segments from Tern's port 80, $good TCP checksums verified good, $bad malformed or bad"
  [ "$bad" = 0 ] && [ "$replies" -ge 2 ] && [ "$frags" -ge 4 ] && [ "$http" -ge 2 ] && [ "$good" -ge 2 ]
}
# udp6_closed_port_from_tern: the kernel answers a datagram to a closed port with ICMPv6 port
# unreachable, which Tern's connected UDP socket reports (ECONNREFUSED).
udp6_closed_port_from_tern() {
  local out; out=$(tern6_run -c "net:nc -u -w 5 $KERNEL_IP6 9 anyone there" 2>&1)
  case "$out" in *ECONNREFUSED*|*"onnection refused"*) return 0 ;; *) echo "$out" | tail -n 3; return 1 ;; esac
}

SERVER_CHECKS=(
  "ping kernel -> Tern, 56 bytes:ping_kernel_to_tern 56"
  "ping kernel -> Tern, 1400 bytes:ping_kernel_to_tern 1400"
  "ping kernel -> Tern, 4000 bytes (fragmented both ways):ping_kernel_to_tern 4000"
  "ping -6 kernel -> Tern, 56 bytes:ping6_kernel_to_tern 56"
  "ping -6 kernel -> Tern, 1400 bytes:ping6_kernel_to_tern 1400"
  "ping -6 kernel -> Tern, 4000 bytes (fragmented both ways):ping6_kernel_to_tern 4000"
  "TCP kernel -> Tern echo, $BYTES bytes, sha256 equal:tcp_echo_from_kernel"
  "TCP kernel -> Tern discard, $BYTES bytes:tcp_discard_from_kernel"
  "TCP chargen read for $BYTES bytes, RFC 864 pattern:chargen_from_kernel"
  "UDP echo:udp_echo_from_kernel"
  "closed TCP port, connection refused (RST):closed_tcp_port_refuses"
  "closed UDP port, ICMP port unreachable:closed_udp_port_unreachable"
  "HTTP status page names the TUN and its address:http_status_page"
  "TCP over IPv6 kernel -> Tern echo, $BYTES bytes, sha256 equal:tcp_echo_from_kernel $TERN_IP6"
  "TCP over IPv6 chargen read for $BYTES bytes, RFC 864 pattern:chargen_from_kernel $TERN_IP6"
  "UDP over IPv6 echo:udp_echo_from_kernel $TERN_IP6"
  "closed TCP port over IPv6, connection refused (RST):closed_tcp_port_refuses $TERN_IP6"
  "closed UDP port over IPv6, ICMPv6 port unreachable:closed_udp_port_unreachable $TERN_IP6 Icmp6InDestUnreachs"
  "HTTP status page over IPv6 lists Tern's IPv6 address:http6_status_page"
)
log "== Tern headless on $TUN with echo, discard, chargen, http"
if start_tern "$WORK/tern.log" --services echo,discard,chargen,http; then
  run_all "${SERVER_CHECKS[@]}"
  # Not through check: its subshell could not wait for this shell's child.
  if stop_tern; then pass "SIGTERM stops headless Tern cleanly"; else fail "SIGTERM stops headless Tern cleanly"; fi
else
  reason="Tern did not start headless on $TUN: $(tail -n 5 "$WORK/tern.log" | tr '\n' ' ')"
  fail_all "$reason" "${SERVER_CHECKS[@]}" "SIGTERM stops headless Tern cleanly:"
fi

log "== Tern as the client (one-shot runs on $TUN)"
far_namespace || log "warning: the second namespace for Packet Too Big could not be set up"
run_all "ping Tern -> kernel, 56 bytes:ping_tern_to_kernel 56" \
  "ping Tern -> kernel, 1400 bytes:ping_tern_to_kernel 1400" \
  "ping Tern -> kernel, 4000 bytes (fragmented both ways):ping_tern_to_kernel 4000" \
  "ping -6 Tern -> kernel, 56 bytes:ping6_tern_to_kernel 56" \
  "ping -6 Tern -> kernel, 1400 bytes:ping6_tern_to_kernel 1400" \
  "ping -6 Tern -> kernel, 4000 bytes (fragmented both ways):ping6_tern_to_kernel 4000" \
  "TCP Tern client -> kernel server, $BYTES bytes, sha256 equal:tcp_from_tern_client" \
  "TCP over IPv6, Tern client -> kernel server, $BYTES bytes, sha256 equal:tcp6_from_tern_client" \
  "UDP over IPv6, Tern -> kernel echo:udp6_echo_from_tern" \
  "UDP over IPv6, kernel's ICMPv6 port unreachable, connected socket refused:udp6_closed_port_from_tern" \
  "capture of IPv6 on the TUN read by tshark, no malformed packet, checksums good:capture6_tshark_clean" \
  "TCP over IPv6 through a 1280-byte link, the kernel's Packet Too Big lowers Tern's MSS, $BYTES bytes:tcp6_through_smaller_mtu"

log "== With Tern's fault injection: $IMPAIR_SPEC"
IMPAIRED=(
  "TCP kernel -> Tern echo under loss/duplication/reordering:tcp_echo_from_kernel"
  "TCP chargen under loss/duplication/reordering:chargen_from_kernel"
)
# Once the impaired server has stopped, the Tern client's transfer under the same faults.
IMPAIRED_CLIENT="TCP Tern client -> kernel server under loss/duplication/reordering"
if start_tern "$WORK/tern-impaired.log" --services echo,chargen --impair "$IMPAIR_SPEC" --wait 15; then
  run_all "${IMPAIRED[@]}"
  if stop_tern; then pass "SIGTERM stops impaired Tern cleanly"; else fail "SIGTERM stops impaired Tern cleanly"; fi
  check "$IMPAIRED_CLIENT" tcp_from_tern_client --impair "$IMPAIR_SPEC" --wait 15
else
  if grep -q "net:impair' did not appear" "$WORK/tern-impaired.log"; then
    reason="net:impair is not available in this build"
  else
    reason="Tern did not start with --impair: $(tail -n 5 "$WORK/tern-impaired.log" | tr '\n' ' ')"
  fi
  fail_all "$reason" "${IMPAIRED[@]}" "SIGTERM stops impaired Tern cleanly:" "$IMPAIRED_CLIENT:"
fi

log "$PASSED passed, $FAILED failed of $((PASSED + FAILED)) checks"
[ "$FAILED" = 0 ]
