#!/usr/bin/env bash
# Runs every test of every project. On a fresh machine it first installs what it needs.
# Last line: "N passed, N failed[, N skipped]" summed over all test projects; exit 1 on any failure.
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

tools/setup-machine.sh || { echo "0 passed, 1 failed"; exit 1; }
if ! dotnet build Pype.sln -c Release --no-restore --verbosity quiet -nologo; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

results=artifacts/test-results
rm -rf "$results"; mkdir -p "$results"
passed=0; failed=0; skipped=0; status=0
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  echo "== $name"
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
    --results-directory "$results" || status=1
  trx="$results/$name.trx"
  if [ -f "$trx" ]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
    get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
    p=$(get passed); f=$(get failed); e=$(get error); t=$(get total); x=$(get executed)
    passed=$((passed + p)); failed=$((failed + f + e)); skipped=$((skipped + t - x))
  else
    echo "$name: the test run produced no results"
    failed=$((failed + 1)); status=1
  fi
done

# Repeat each failure with the start of its message just above the summary, so a log that keeps
# only its head and tail still names what failed.
if [ "$failed" -gt 0 ]; then
  echo "== failed tests"
  for trx in "$results"/*.trx; do
    awk '
      /<UnitTestResult / && /outcome="Failed"/ {
        match($0, /testName="[^"]*"/); name = substr($0, RSTART + 10, RLENGTH - 11)
        gsub(/&quot;/, "\"", name); print "FAILED " name; inside = 1; lines = 0; next }
      inside && /<Message>/ { printing = 1; sub(/.*<Message>/, "") }
      inside && printing {
        done = sub(/<\/Message>.*/, "")
        if (lines < 6) { gsub(/&quot;/, "\""); gsub(/&lt;/, "<"); gsub(/&gt;/, ">"); gsub(/&amp;/, "\\&"); print "  " $0 }
        lines++
        if (done) { printing = 0; inside = 0 } }
      /<\/UnitTestResult>/ { inside = 0; printing = 0 }
    ' "$trx"
  done
  status=1
fi
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
exit $status
