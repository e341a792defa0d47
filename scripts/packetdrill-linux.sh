#!/usr/bin/env bash
# Runs Tern's packetdrill scripts against this machine's Linux kernel with the real packetdrill,
# so that a script's claim about Linux's behaviour is checked on Linux itself.
#
# Usage (as root):  scripts/packetdrill-linux.sh [SCRIPT.pkt|DIR ...]
#   Without arguments: every .pkt under bundles/tcp/src/test/resources/packetdrill.
#
# Each script runs in a network namespace of its own, created for it and deleted afterwards, with
# packetdrill's addresses --local_ip=10.0.0.1 --remote_ip=10.0.0.2 --gateway_ip=10.0.0.3
# --netmask_ip=255.255.255.0 (a script with --ip_version=ipv6: --local_ip=fd3d:fa7b:d17d::1
# --remote_ip=fd3d:fa7b:d17d::2). The namespace starts with the kernel's defaults for a new namespace;
# a script states the settings it depends on as sysctl lines (`sysctl -q net.ipv4.tcp_...=N`),
# which packetdrill runs inside the namespace (and Tern's runner maps to its settings).
# A script whose first lines say `tern-only: <reason>` is skipped with that reason.
#
# packetdrill is not part of the project and the machine may have no internet access, so the
# tool is found, in this order:
#   $PACKETDRILL               a built packetdrill binary
#   packetdrill on $PATH
#   $PACKETDRILL_SRC           a checkout of github.com/google/packetdrill (built here with
#                              ./configure && make in gtests/net/packetdrill; needs gcc, make,
#                              bison, flex)
#   otherwise it is cloned from $PACKETDRILL_GIT (default https://github.com/google/packetdrill)
#   into $PACKETDRILL_BUILD (default ${TMPDIR:-/tmp}/tern-packetdrill) and built there.
#
# Output: the kernel version, then one line per script: PASS, FAIL (with packetdrill's message)
# or SKIP (with the reason), and a summary. Exit status 0 when no script failed.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
scripts_dir=$root/bundles/tcp/src/test/resources/packetdrill

if [ "$(id -u)" -ne 0 ]; then
    echo "packetdrill-linux.sh: needs root (network namespaces, tun devices)" >&2
    exit 2
fi

build_packetdrill() { # $1: checkout
    local dir=$1/gtests/net/packetdrill
    if [ ! -x "$dir/packetdrill" ]; then
        echo "building packetdrill in $dir" >&2
        (cd "$dir" && ./configure >/dev/null && make -j"$(nproc)" packetdrill >/dev/null) || {
            echo "packetdrill-linux.sh: building packetdrill in $dir failed (needs gcc, make, bison, flex)" >&2
            exit 2
        }
    fi
    echo "$dir/packetdrill"
}

if [ -n "${PACKETDRILL:-}" ]; then
    pd=$PACKETDRILL
elif command -v packetdrill >/dev/null; then
    pd=$(command -v packetdrill)
elif [ -n "${PACKETDRILL_SRC:-}" ]; then
    pd=$(build_packetdrill "$PACKETDRILL_SRC") || exit 2
else
    build=${PACKETDRILL_BUILD:-${TMPDIR:-/tmp}/tern-packetdrill}
    if [ ! -d "$build/.git" ]; then
        git clone -q --depth 1 "${PACKETDRILL_GIT:-https://github.com/google/packetdrill}" "$build" || {
            echo "packetdrill-linux.sh: cannot clone packetdrill; set PACKETDRILL or PACKETDRILL_SRC" >&2
            exit 2
        }
    fi
    pd=$(build_packetdrill "$build") || exit 2
fi
[ -x "$pd" ] || { echo "packetdrill-linux.sh: $pd is not an executable" >&2; exit 2; }

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("$scripts_dir")
mapfile -t files < <(for t in "${targets[@]}"; do
    if [ -d "$t" ]; then find "$t" -name '*.pkt' -not -path '*/pending/*'; else echo "$t"; fi
done | sort)

echo "kernel: $(uname -srm)"
echo "packetdrill: $pd"
pass=0 fail=0 skip=0
failed=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for f in "${files[@]}"; do
    name=${f#"$scripts_dir"/}
    # The marker is in the script's first comment lines: "// tern-only: reason".
    reason=$(head -n 15 "$f" | grep -m1 -o 'tern-only:.*' | sed 's/^tern-only: *//')
    if [ -n "$reason" ] || head -n 15 "$f" | grep -q 'tern-only'; then
        echo "SKIP  $name  (tern-only: ${reason:-no reason given})"
        skip=$((skip + 1))
        continue
    fi
    ns=tern-pd-$$-$((pass + fail + skip))
    ip netns add "$ns" || { echo "FAIL  $name  (cannot create namespace $ns)"; fail=$((fail + 1)); continue; }
    ip netns exec "$ns" ip link set lo up
    # The addresses Tern's runner uses: IPv4 (also for --ip_version=ipv4-mapped-ipv6), or IPv6
    # for a script whose first lines say --ip_version=ipv6 (packetdrill's default gateway and
    # prefix for IPv6).
    addresses=(--local_ip=10.0.0.1 --remote_ip=10.0.0.2 --gateway_ip=10.0.0.3 --netmask_ip=255.255.255.0)
    if head -n 15 "$f" | grep -q '^--ip_version=ipv6'; then
        addresses=(--local_ip=fd3d:fa7b:d17d::1 --remote_ip=fd3d:fa7b:d17d::2)
    fi
    # packetdrill runs the script's `...` commands with the script's folder as working directory.
    if (cd "$(dirname "$f")" && timeout 900 ip netns exec "$ns" "$pd" "${addresses[@]}" \
            "$(basename "$f")") >"$log" 2>&1; then
        echo "PASS  $name"
        pass=$((pass + 1))
    else
        echo "FAIL  $name"
        sed 's/^/      /' "$log" | head -n 12
        fail=$((fail + 1))
        failed+=("$name")
    fi
    ip netns del "$ns"
done
echo "kernel $(uname -r): $pass passed, $fail failed, $skip skipped (tern-only) of ${#files[@]}"
[ "$fail" -eq 0 ]
