#!/usr/bin/env bash
# The storage's read ceiling as its table grows: starts Azurite (in memory, its own ports) and runs
# Chiyoda.Civic.ResultsNight ceiling, which fills one table step by step (default 62,500 to 1,000,000 entities in the
# count's 16 partitions) and after each step times reading one partition in 1,000-entity pages, as the count reads.
# Why it matters: Azurite scans the whole table for every page (docs/performance.md, "Where the time of a 1 M count goes").
# Options: --sizes 62500,125000,250000,500000,1000000  --port-offset N (Azurite on 10130+N..10132+N)  --no-build
set -euo pipefail
source "$(dirname "$0")/../tools/common.sh"
cd "$repo_root"

sizes=62500,125000,250000,500000,1000000
offset=0
build=true
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes=$2; shift 2 ;;
    --port-offset) offset=$2; shift 2 ;;
    --no-build) build=false; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

ensure_azurite
if [ "$build" = true ]; then
  say "Building (Release)"
  dotnet build benchmarks/Chiyoda.Civic.ResultsNight -c Release -nologo -v quiet -clp:ErrorsOnly
fi

blob_port=$((10130 + offset)); queue_port=$((10131 + offset)); table_port=$((10132 + offset))
for port in $blob_port $queue_port $table_port; do
  if port_in_use "$port"; then echo "port $port is in use (another run?): choose --port-offset N" >&2; exit 1; fi
done
key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
storage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;TableEndpoint=http://127.0.0.1:$table_port/devstoreaccount1;"

# In memory and with room for a million entities, as results-night.sh --azurite-in-memory runs it.
NODE_OPTIONS=--max-old-space-size=8192 tools/azurite/node_modules/.bin/azurite --silent --skipApiVersionCheck --disableTelemetry \
  --inMemoryPersistence --blobHost 127.0.0.1 --blobPort $blob_port --queueHost 127.0.0.1 --queuePort $queue_port \
  --tableHost 127.0.0.1 --tablePort $table_port >/dev/null 2>&1 &
azurite=$!
trap 'kill $azurite 2>/dev/null; wait 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do port_in_use $table_port && break; sleep 0.2; done

dotnet benchmarks/Chiyoda.Civic.ResultsNight/bin/Release/net10.0/Chiyoda.Civic.ResultsNight.dll ceiling --storage "$storage" --sizes "$sizes"
