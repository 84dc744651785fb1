#!/usr/bin/env bash
# Runs every test in the solution and ends with one line: "N passed, N failed[, N skipped]".
set -uo pipefail
cd "$(dirname "$0")"
bash scripts/install-deps.sh || exit 1

results=artifacts/test-results
rm -rf "$results"
# Whatever the tests write to the temp directory (the catalogue's reference weights are gigabytes) lives in one
# folder of this run and goes with it, even when a test host is killed.
TMPDIR="$(mktemp -d "${TMPDIR:-/tmp}/archdsl-tests.XXXXXX")" || exit 1
export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT
dotnet build ArchDsl.sln -c Release -nologo -v q -clp:ErrorsOnly || { echo "0 passed, 1 failed"; exit 1; }
# Two shards side by side, each a complement of the other, so every test runs exactly once: the catalogue's comparisons
# through Python, and everything else. Within a process tests run one at a time (tests/Shared/xunit.runner.json says
# why); the shards and the solution's test projects are the parallelism.
python_tests="FullyQualifiedName~ArchDsl.Catalogue.Tests.PyTorchEmitterTests|FullyQualifiedName~ArchDsl.Catalogue.Tests.OutputParityTests"
shard() {  # NAME FILTER
  dotnet test ArchDsl.sln -c Release --no-build -nologo --filter "$2" \
    --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results/$1" 2>&1 | sed -u "s/^/[$1] /"
  return "${PIPESTATUS[0]}"
}
shard python "$python_tests" &
python_pid=$!
shard main "$(echo "$python_tests" | sed 's/~/!~/g; s/|/\&/g')"
main_status=$?
wait "$python_pid"
python_status=$?
status=$(( main_status != 0 ? main_status : python_status ))

# Sum the counters of every project's TRX report.
python3 - "$results" "$status" <<'PY'
import glob, sys, re
passed = failed = skipped = 0
files = glob.glob(sys.argv[1] + "/**/*.trx", recursive=True)
for f in files:
    text = open(f, encoding="utf-8").read()
    m = re.search(r"<Counters ([^>]*)/>", text)
    if not m:
        continue
    c = dict(re.findall(r'(\w+)="(\d+)"', m.group(1)))
    passed += int(c.get("passed", 0))
    failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    skipped += int(c.get("notExecuted", 0))
if not files or (int(sys.argv[2]) != 0 and failed == 0):
    failed += 1  # a test host crashed or a project did not report: count it, never hide it
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
sys.exit(1 if failed else 0)
PY
