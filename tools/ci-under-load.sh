#!/usr/bin/env bash
# Runs .ci/run on a fresh clone of the committed HEAD while two CPU hogs keep about 30 % of the
# machine busy, as on a shared CI runner. The clone lies alone in a new temp folder, so nothing
# from ../shared (or any other file beside the checkout) can be reached: the repository must
# stand alone. Uncommitted changes are not tested.
#
# Usage: tools/ci-under-load.sh [--runs N] [--load PERCENT] [--hog-limit SECONDS] [--logs DIR]
#   --runs N       run N times, each on a new clone, stopping at the first failure (default 1)
#   --load P       share of the whole machine the two hogs take together (default 30)
#   --hog-limit S  the hogs stop by themselves after S seconds even if this script is killed
#                  hard (default: 90 minutes per run)
#   --logs DIR     where each run's full output is kept (default artifacts/ci-under-load)
#   --hogs-only S  no clone and no .ci/run: run the hogs alone for S seconds and report their share
# Prints, per run: the hogs' measured share of the CPU, the machine's busy share, .ci/run's
# summary line and the duration. Exits with .ci/run's exit code (of the first failing run).
set -uo pipefail

runs=1 load=30 hog_limit= logs= hogs_only=
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --load) load=$2; shift 2 ;;
    --hog-limit) hog_limit=$2; shift 2 ;;
    --logs) logs=$2; shift 2 ;;
    --hogs-only) hogs_only=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "ci-under-load: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$runs$load$hog_limit$hogs_only" in *[!0-9]*) echo "ci-under-load: options take whole numbers" >&2; exit 2 ;; esac
[ "$runs" -ge 1 ] || { echo "ci-under-load: --runs must be at least 1" >&2; exit 2; }

root=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel) || exit 2
commit=$(git -C "$root" rev-parse HEAD) || exit 2
logs=${logs:-$root/artifacts/ci-under-load}
hog_limit=${hog_limit:-$((runs * 5400))}
mkdir -p "$logs"
if [ -n "$(git -C "$root" status --porcelain --untracked-files=no)" ]; then
  echo "ci-under-load: the checkout has uncommitted changes; testing the commit ${commit:0:12} without them" >&2
fi

# Each hog is one busy loop on one core, busy for part of every 100 ms. Two of them take
# load % of the machine when each keeps its core busy load/100 * cores / 2 of the time.
cores=$(nproc)
duty=$(( load * cores / 2 ))            # per cent of each 100 ms period
[ "$duty" -le 100 ] || duty=100
busy_us=$(( duty * 1000 )) idle_ms=$(( 100 - duty ))

hog() {
  local deadline=$(( ${EPOCHREALTIME/./} + hog_limit * 1000000 )) now end
  while now=${EPOCHREALTIME/./}; [ "$now" -lt "$deadline" ]; do
    end=$(( now + busy_us ))
    while [ "${EPOCHREALTIME/./}" -lt "$end" ]; do :; done
    [ "$idle_ms" -gt 0 ] && sleep "0.$(printf '%03d' "$idle_ms")"
  done
}

hogs=() clone=
cleanup() {
  [ ${#hogs[@]} -gt 0 ] && kill "${hogs[@]}" 2>/dev/null
  [ -n "$clone" ] && rm -rf "$clone"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# CPU time (clock ticks) the hogs have used, and the machine's busy and total ticks over all cores.
hog_ticks() { local t=0 pid; for pid in "${hogs[@]}"; do t=$(( t + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0) )); done; echo "$t"; }
machine_ticks() { awk '/^cpu /{ total = 0; for (i = 2; i <= NF; i++) total += $i; print total - $5 - $6, total }' /proc/stat; }
percent() { awk -v part="$1" -v whole="$2" 'BEGIN { printf "%.1f", (whole > 0 ? 100 * part / whole : 0) }'; }

for _ in 1 2; do hog & hogs+=($!); done
if [ -n "$hogs_only" ]; then
  read -r busy0 total0 < <(machine_ticks); hog0=$(hog_ticks)
  sleep "$hogs_only"
  read -r busy1 total1 < <(machine_ticks); hog1=$(hog_ticks)
  echo "hogs alone for $hogs_only s (busy ${duty} ms of every 100 ms, $cores cores): hogs $(percent $(( hog1 - hog0 )) $(( total1 - total0 ))) % of the CPU, machine busy $(percent $(( busy1 - busy0 )) $(( total1 - total0 ))) %"
  exit 0
fi
echo "ci-under-load: commit ${commit:0:12}, $runs run(s), two hogs (pids ${hogs[*]}) busy ${duty} ms of every 100 ms on a $cores-core machine (aiming at $load %)"

status=0
for run in $(seq 1 "$runs"); do
  clone=$(mktemp -d "${TMPDIR:-/tmp}/pype-ci-under-load.XXXXXX")
  log="$logs/run-$run.log"
  started=$(date +%s)
  read -r busy0 total0 < <(machine_ticks); hog0=$(hog_ticks)
  {
    git clone --quiet --no-checkout "$root" "$clone/pype" &&
      { git -C "$clone/pype" cat-file -e "$commit^{commit}" 2>/dev/null || git -C "$clone/pype" fetch --quiet origin "$commit"; } &&
      git -C "$clone/pype" checkout --quiet --detach "$commit"
  } >"$log" 2>&1 || { echo "run $run: could not clone ${commit:0:12} (see $log)"; status=2; break; }
  # No build servers or MSBuild nodes outlive the run.
  (cd "$clone/pype" && CI=true MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 bash .ci/run) >>"$log" 2>&1
  status=$?
  read -r busy1 total1 < <(machine_ticks); hog1=$(hog_ticks)
  seconds=$(( $(date +%s) - started ))
  summary=$(grep -v '^[[:space:]]*$' "$log" | tail -n 1)
  echo "run $run: hogs $(percent $(( hog1 - hog0 )) $(( total1 - total0 ))) % of the CPU, machine busy $(percent $(( busy1 - busy0 )) $(( total1 - total0 ))) %"
  echo "run $run: $summary (exit $status, $((seconds / 60)) min $((seconds % 60)) s; log $log)"
  rm -rf "$clone"; clone=
  if [ "$status" -ne 0 ]; then
    sed -n '/^== failed tests/,$p' "$log" | head -n 40
    break
  fi
done
exit "$status"
