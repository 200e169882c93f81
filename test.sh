#!/usr/bin/env bash
# Runs every test. Installs what the tests need if it is missing (Azurite from npm, Chromium from
# Debian); the tests themselves start and stop Azurite, the identity provider and the platform.
# Extra arguments go to 'dotnet test' (e.g. ./test.sh --filter FullyQualifiedName~Rounds).
# One tier alone: ./test.sh --tier unit | integration | browser | faults (tests/.../Infrastructure/Tier.cs).
set -euo pipefail
source "$(dirname "$0")/tools/common.sh"
cd "$repo_root"

tier_filter=()
if [ "${1:-}" = "--tier" ]; then
  case "${2:-}" in
    unit) tier_filter=(--filter "Tier=unit") ;;
    browser) tier_filter=(--filter "Tier=browser") ;;
    faults) tier_filter=(--filter "Tier=faults") ;;
    integration) tier_filter=(--filter "Tier!=unit&Tier!=browser&Tier!=faults") ;;
    *) echo "Unknown tier '${2:-}': unit, integration, browser or faults." >&2; exit 2 ;;
  esac
  shift 2
fi

ensure_azurite
ensure_chromium
# Release: the platforms the tests start run from this build, and a Debug build runs them unoptimised (the JIT never
# optimises a Debug assembly), which on two cores cost the suite minutes of CPU for nothing the tests look at.
say "Building (Release)"
dotnet build Chiyoda.Civic.sln -c Release -nologo -v quiet -clp:ErrorsOnly

say "Testing"
mkdir -p artifacts
set +e
# The trx file keeps each test's duration (artifacts/test-results.trx): where the suite's minutes go.
dotnet test Chiyoda.Civic.sln -c Release --no-build -nologo --logger "trx;LogFileName=test-results.trx" --results-directory artifacts "${tier_filter[@]}" "$@" 2>&1 | tee artifacts/test-output.log
status=${PIPESTATUS[0]}
set -e

# One closing line in the plain form CI reads: "N passed, N failed".
# Only the runner's summary lines ("Passed!  - Failed: 0, Passed: 12, ..."), one per test assembly.
summary=$(grep -E '^(Passed|Failed)!' artifacts/test-output.log || true)
passed=$(grep -oE 'Passed: +[0-9]+' <<<"$summary" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' <<<"$summary" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' <<<"$summary" | awk '{s+=$2} END {print s+0}')
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "No test ran." >&2
  status=1
fi
echo "Tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
