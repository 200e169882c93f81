#!/usr/bin/env bash
# Replays the ward's 2024 round end to end through the API of a running platform (./run.sh):
# residents' proposals screened to the published shortlist, register, 665 voters' ballots (online, changed, paper superseding online, a spoiled and a
# duplicate paper ballot), close, count, certify, publish; then checks the published table and open data
# against the ballots. Usage: tools/replay-2024.sh [web-url] [identity-provider-url] [round-id]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build tools/Chiyoda.Civic.Replay -nologo -v quiet -clp:ErrorsOnly
exec dotnet tools/Chiyoda.Civic.Replay/bin/Debug/net10.0/Chiyoda.Civic.Replay.dll "${1:-http://localhost:5000/}" "${2:-http://localhost:5100/}" ${3:+"$3"}
