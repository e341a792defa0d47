#!/usr/bin/env bash
# Coverage-guided fuzzing of Tern's receive path with Jazzer, for a bounded time.
#
#   fuzz/run.sh [--duration SECONDS] [--target NAME] [--keep-going N] [--no-merge]
#
# --duration   total time for the campaign, split evenly among the targets (default 600)
# --target     one target (a class name, e.g. TcpStateFuzzTest); default: every target
# --keep-going findings per target before it stops early (default 20)
# --no-merge   leave the committed corpus as it is (no minimization into it)
#
# Not part of the test command: `mvn verify` only replays the saved inputs. This script builds
# the fuzz module and what it needs (offline), then for each target runs Jazzer's standalone
# driver under `nice -n 19`, growing a working corpus under fuzz/target/corpus/, then merges
# (minimizes) that corpus with the saved inputs back into
# src/test/resources/net/tern/fuzz/<Class>Inputs/<method>/, which JUnit replays. Findings
# (uncaught exceptions, broken invariants, packet leaks, logged errors, hangs) are saved with
# their reproducer input under fuzz/target/findings/<Class>/ and listed at the end; the exit
# status is 1 when there were findings. README.md says how to reproduce one.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
DURATION=600
ONLY=""
KEEP_GOING=20
MERGE=1

while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --target) ONLY="$2"; shift 2 ;;
    --keep-going) KEEP_GOING="$2"; shift 2 ;;
    --no-merge) MERGE=0; shift ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$DURATION" in ''|*[!0-9]*) echo "--duration takes whole seconds, got '$DURATION'" >&2; exit 2 ;; esac

# Every target: the JUnit class that replays it (one @FuzzTest method each) and its method; the
# fuzzer itself is the class named like it with "Fuzzer" for "FuzzTest" (TcpStateFuzzer).
ALL_TARGETS=(
  "TcpStateFuzzTest:segmentsInEveryState"
  "Ipv4InputFuzzTest:datagrams"
)
TARGETS=()
for t in "${ALL_TARGETS[@]}"; do
  if [ -z "$ONLY" ] || [ "${t%%:*}" = "$ONLY" ]; then
    TARGETS+=("$t")
  fi
done
if [ ${#TARGETS[@]} -eq 0 ]; then
  echo "no target named '$ONLY'; targets: ${ALL_TARGETS[*]%%:*}" >&2
  exit 2
fi
PER_TARGET=$(( DURATION / ${#TARGETS[@]} ))
if [ "$PER_TARGET" -lt 10 ]; then
  echo "--duration $DURATION leaves less than 10 s per target" >&2
  exit 2
fi

echo "== building the fuzz module (offline)"
(cd "$ROOT" && nice -n 19 mvn -B -o -q -pl fuzz -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/test.classpath -Dmdep.includeScope=test)
CP="$HERE/target/test-classes:$(cat "$HERE/target/test.classpath")"
PACKAGE_DIR="net/tern/fuzz"
REPORT="$HERE/target/fuzz-report.txt"
: > "$REPORT"
FOUND=0

# The driver runs in-process; the heap is bounded so a memory blow-up is a finding, not a swap storm.
JAZZER=(nice -n 19 java -Xmx1g -Xss4m -cp "$CP" com.code_intelligence.jazzer.Jazzer
  --instrumentation_includes='net.tern.**' --custom_hook_excludes='net.tern.**')

for t in "${TARGETS[@]}"; do
  CLASS="${t%%:*}"
  METHOD="${t##*:}"
  FUZZER="net.tern.fuzz.${CLASS%FuzzTest}Fuzzer"
  SAVED="$HERE/src/test/resources/$PACKAGE_DIR/${CLASS}Inputs/$METHOD"
  WORK="$HERE/target/corpus/$CLASS/$METHOD"
  FINDINGS="$HERE/target/findings/$CLASS"
  LOG="$HERE/target/logs/$CLASS.log"
  mkdir -p "$SAVED" "$WORK" "$FINDINGS" "$(dirname "$LOG")"
  # libFuzzer mutates inputs up to the longest one in the corpus (and grows that limit only
  # while coverage stalls): a long seed lets the targets' step sequences run long from the start.
  if [ -z "$(find "$WORK" "$SAVED" -type f -size +1k | head -1)" ]; then
    head -c 2048 /dev/urandom > "$WORK/seed-long"
  fi
  echo "== $CLASS.$METHOD: fuzzing for $PER_TARGET s (log: ${LOG#$ROOT/})"
  set +e
  # libFuzzer stops itself at -max_total_time; `timeout` is the bound if it does not.
  timeout --kill-after=30 $(( PER_TARGET + 120 )) \
    "${JAZZER[@]}" --target_class="$FUZZER" --keep_going="$KEEP_GOING" \
    -max_total_time="$PER_TARGET" -timeout=60 -rss_limit_mb=3072 -max_len=4096 -len_control=10 \
    -print_final_stats=1 -artifact_prefix="$FINDINGS/" --reproducer_path="$FINDINGS" "$WORK" "$SAVED" > "$LOG" 2>&1
  STATUS=$?
  set -e
  LAST=$(grep -E '^#[0-9]+' "$LOG" | tail -1 || true)
  RUNS=$(grep -E '^stat::number_of_executed_units' "$LOG" | awk '{print $2}' | tail -1 || true)
  SPEED=$(grep -E '^stat::average_exec_per_sec' "$LOG" | awk '{print $2}' | tail -1 || true)
  FINDS=$(grep -c '^DEDUP_TOKEN' "$LOG" || true)
  {
    echo "$CLASS.$METHOD: ${PER_TARGET}s, exit $STATUS, ${RUNS:-?} executions, ${SPEED:-?} exec/s, findings $FINDS"
    echo "  last status: ${LAST:-none}"
  } | tee -a "$REPORT"
  if [ "$FINDS" -gt 0 ] || [ -n "$(ls -A "$FINDINGS")" ]; then
    FOUND=1
    # Each finding: the exception or broken invariant, then the file that reproduces it.
    grep -E '^(== Java Exception|Caused by|java\.lang\.AssertionError|DEDUP_TOKEN|artifact_prefix=|.*Test unit written to)' "$LOG" \
      | sed 's/^/  /' | tee -a "$REPORT"
  fi
  if [ "$MERGE" = 1 ] && [ "$STATUS" -ne 124 ]; then
    # Minimize: the smallest set of saved and new inputs that covers the same edges goes back
    # into the saved corpus (edges, not hit counts: -use_counters=0 keeps it to hundreds of
    # small files). Findings stay out of it until fixed (then add them as regression inputs).
    MERGED="$HERE/target/merged/$CLASS/$METHOD"
    rm -rf "$MERGED"
    mkdir -p "$MERGED"
    set +e
    timeout --kill-after=30 $(( PER_TARGET / 4 + 900 )) \
      "${JAZZER[@]}" --target_class="$FUZZER" -merge=1 -use_counters=0 -timeout=60 \
      -rss_limit_mb=3072 -max_len=4096 "$MERGED" "$SAVED" "$WORK" > "$LOG.merge" 2>&1
    MSTATUS=$?
    set -e
    if [ "$MSTATUS" -eq 0 ] && [ -n "$(ls -A "$MERGED")" ]; then
      # Inputs named regression-* stay whatever coverage they add: they reproduce fixed bugs.
      # libFuzzer names a merged input by its SHA-1, so a copy of one of them is recognized.
      for r in "$SAVED"/regression-*; do
        [ -e "$r" ] && rm -f "$MERGED/$(sha1sum "$r" | cut -d' ' -f1)"
      done
      find "$SAVED" -maxdepth 1 -type f ! -name 'regression-*' -delete
      cp "$MERGED"/* "$SAVED"/
      echo "  corpus: $(ls "$SAVED" | wc -l) inputs, $(cat "$SAVED"/* | wc -c) bytes in ${SAVED#$ROOT/}" | tee -a "$REPORT"
    else
      echo "  corpus merge failed (exit $MSTATUS, see ${LOG#$ROOT/}.merge); saved corpus left as it was" | tee -a "$REPORT"
    fi
  fi
done

echo "== report (also in ${REPORT#$ROOT/})"
cat "$REPORT"
if [ "$FOUND" = 1 ]; then
  echo "findings saved under ${HERE#$ROOT/}/target/findings/ (README.md: reproducing a finding)"
  exit 1
fi
