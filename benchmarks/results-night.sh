#!/usr/bin/env bash
# The results-night benchmark: starts a fresh Azurite, the development identity provider and the platform (Release,
# Production settings) on their own ports, then
#   1. counting: for each N in --ballots (default 50000), a round of N stored ballots (online and paper), sealed and
#      written with the platform's own BallotTable, timed through close -> count -> certify -> publish, beside the
#      storage's raw read rate on the same ballots (Chiyoda.Civic.ResultsNight count);
#   2. reading: wrk (Debian package) drives the public pages of the last published round (ja and en) and its open data
#      with many concurrent anonymous clients for a fixed time each, each URL right after a bare Kestrel server
#      returning a page of the same size (Chiyoda.Civic.ResultsNight bare), and prints requests/s, p50, p99, errors
#      and the ratio to that bare ceiling, plus the CPU each process spent per request (/proc/PID/stat: user + system
#      time over the run ÷ requests answered), which the machine's other load changes far less than requests/s, and
#      the load average after each row.
# Options: --ballots 50000,200000  --seconds 10 (per URL)  --connections 64  --threads 2  --skip-pages
#          --no-build: use the Release binaries already built
#          --accept-encoding 'br, gzip': every page and open-data request (wrk and the size) asks for this coding, so the
#          bytes column is what is sent compressed and the bare server is measured with bodies of that size
#          --port-offset N: add N to every port the run listens on (web 5020, provider 5120, bare 5090, Azurite 10120-10122,
#          silo 11131/11141), so two runs on one machine do not meet
#          --read-parallelism N (default 16): partitions the platform reads at once for the count and the live tally's first
#          scans (Storage:BallotReadParallelism), and the ceiling's concurrent pass reads as many; at 1,000,000 ballots
#          Azurite cannot answer 16 page queries at once within the storage client's time-out (docs/performance.md)
#          --azurite-in-memory: Azurite keeps its tables in memory only (--inMemoryPersistence) and may use 8 GB of heap;
#          without it Azurite rewrites its whole database file every few seconds, which at 1,000,000 ballots is the
#          emulator measuring itself (docs/performance.md).
set -euo pipefail
source "$(dirname "$0")/../tools/common.sh"
cd "$repo_root"

ballots=50000
seconds=10
connections=64
threads=2
pages=true
in_memory=false
build=true
offset=0
accept_encoding=""
read_parallelism=16
while [ $# -gt 0 ]; do
  case "$1" in
    --ballots) ballots=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --skip-pages) pages=false; shift ;;
    --azurite-in-memory) in_memory=true; export NODE_OPTIONS=--max-old-space-size=8192; shift ;;
    --no-build) build=false; shift ;;
    --port-offset) offset=$2; shift 2 ;;
    --accept-encoding) accept_encoding=$2; shift 2 ;;
    --read-parallelism) read_parallelism=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "wrk is missing: run 'sudo apt-get install -y wrk' once, then try again." >&2
    exit 1
  fi
  say "Installing wrk (apt-get install wrk)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

ensure_azurite
if [ "$build" = true ]; then
  say "Building (Release)"
  for project in src/Chiyoda.Civic.Web src/Chiyoda.Civic.IdentityProvider benchmarks/Chiyoda.Civic.ResultsNight; do
    dotnet build "$project" -c Release -nologo -v quiet -clp:ErrorsOnly
  done
fi

work=$(mktemp -d /tmp/civic-night-XXXXXX)
pids=()
cleanup() {
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2>/dev/null || continue
    for _ in $(seq 1 40); do kill -0 "${pids[i]}" 2>/dev/null || break; sleep 0.5; done
    kill -9 "${pids[i]}" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$work/azurite"
}
trap cleanup EXIT

key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
blob_port=$((10120 + offset)); queue_port=$((10121 + offset)); table_port=$((10122 + offset))
storage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob_port/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue_port/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table_port/devstoreaccount1;"
web=http://localhost:$((5020 + offset))
idp=http://localhost:$((5120 + offset))
bare_port=$((5090 + offset))
bare=http://localhost:$bare_port
for port in $blob_port $queue_port $table_port $((5020 + offset)) $((5120 + offset)) $bare_port $((11131 + offset)) $((11141 + offset)); do
  if port_in_use "$port"; then echo "port $port is in use (another run?): choose --port-offset N" >&2; exit 1; fi
done

# Azurite refuses a --location beside --inMemoryPersistence.
if [ "$in_memory" = true ]; then azurite_storage=(--inMemoryPersistence); else azurite_storage=(--location "$work/azurite"); fi
tools/azurite/node_modules/.bin/azurite --silent --skipApiVersionCheck --disableTelemetry "${azurite_storage[@]}" \
  --blobHost 127.0.0.1 --blobPort $blob_port --queueHost 127.0.0.1 --queuePort $queue_port --tableHost 127.0.0.1 --tablePort $table_port \
  >"$work/azurite.log" 2>&1 &
pids+=($!)

ASPNETCORE_ENVIRONMENT=Development dotnet src/Chiyoda.Civic.IdentityProvider/bin/Release/net10.0/Chiyoda.Civic.IdentityProvider.dll \
  --contentRoot "$repo_root/src/Chiyoda.Civic.IdentityProvider" --urls $idp \
  --IdentityProvider:Issuer=$idp/ --IdentityProvider:WebOrigins:0=$web --IdentityProvider:AccessTokenMinutes=720 \
  --Logging:LogLevel:Default=Warning >"$work/idp.log" 2>&1 &
pids+=($!)
wait_for_http $idp/health 60 "The identity provider"

for name in silo-tls keyring; do
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=chiyoda-civic-bench-$name" \
    -addext "extendedKeyUsage=serverAuth,clientAuth" -keyout "$work/$name.key" -out "$work/$name.crt" 2>/dev/null
done

ballot_key=$(head -c 32 /dev/urandom | base64)
service_id=civic-night
# Production settings as online-vote.sh runs them; the count's stages are logged (CountingService at Information).
ASPNETCORE_ENVIRONMENT=Production dotnet src/Chiyoda.Civic.Web/bin/Release/net10.0/Chiyoda.Civic.Web.dll \
  --contentRoot "$repo_root/src/Chiyoda.Civic.Web" --urls $web \
  "--Storage:ConnectionString=$storage" --Authentication:Authority=$idp/ \
  --Authentication:ClientSecret=civic-web-dev-secret --Authentication:RequireHttpsMetadata=false \
  --Orleans:Membership=AzureStorage --Orleans:ClusterId=night --Orleans:ServiceId=$service_id --DataProtection:KeyRing=Blob "--Ballots:EncryptionKey=$ballot_key" \
  "--Orleans:Tls:CertificatePath=$work/silo-tls.crt" "--Orleans:Tls:KeyPath=$work/silo-tls.key" \
  "--DataProtection:CertificatePath=$work/keyring.crt" "--DataProtection:KeyPath=$work/keyring.key" \
  --AllowedHosts=localhost "--Site:Url=$web/" --Orleans:SiloPort=$((11131 + offset)) --Orleans:GatewayPort=$((11141 + offset)) \
  --Storage:BallotReadParallelism=$read_parallelism \
  --Logging:LogLevel:Default=Warning --Logging:LogLevel:Chiyoda.Civic.Web.Counting=Information >"$work/web.log" 2>&1 &
web_pid=$!
pids+=($web_pid)
wait_for_http "$web/health/ready" 120 "The platform" || { tail -n 40 "$work/web.log"; exit 1; }

say "Counting"
status=0
dotnet benchmarks/Chiyoda.Civic.ResultsNight/bin/Release/net10.0/Chiyoda.Civic.ResultsNight.dll count \
  --web $web/ --idp $idp/ --storage "$storage" --service-id $service_id --ballot-key "$ballot_key" \
  --ballots "$ballots" --round-file "$work/round" --read-parallelism "$read_parallelism" | tee "$work/count.log" || status=$?
echo "count stages (the platform's log, one line per recount: count and certify each recount):"
grep -oE '(Recount|Certification) of .*' "$work/web.log" | sed 's/^/  /' || true
[ "$pages" = true ] || exit $status
[ -s "$work/round" ] || { echo "no published round to read" >&2; exit 1; }
round=$(cat "$work/round")

say "Reading: $threads wrk threads, $connections connections, ${seconds} s per URL, after a warm-up"
english="Cookie: __Host-civic-culture=c%3Den%7Cuic%3Den"
curl -fsS "$web/rounds/$round/results" -o "$work/page.html"
# The bare server runs with the platform's own GC settings (workstation, concurrent: its csproj), so the ratio
# compares the request path, not two garbage collectors.
DOTNET_gcServer=0 DOTNET_gcConcurrent=1 dotnet benchmarks/Chiyoda.Civic.ResultsNight/bin/Release/net10.0/Chiyoda.Civic.ResultsNight.dll bare --port $bare_port --page "$work/page.html" >"$work/bare.log" 2>&1 &
bare_pid=$!
pids+=($bare_pid)
wait_for_http $bare/ 30 "The bare Kestrel server"

targets=(
  "ja|/"
  "ja|/rounds/$round"
  "ja|/rounds/$round/proposals"
  "ja|/rounds/$round/proposals/p-001"
  "ja|/rounds/$round/results"
  "en|/"
  "en|/rounds/$round"
  "en|/rounds/$round/proposals"
  "en|/rounds/$round/proposals/p-001"
  "en|/rounds/$round/results"
  "-|/api/v1/rounds/$round/results"
  "-|/api/v1/rounds/$round/results.csv"
  "-|/api/v1/rounds/$round/ballots.csv"
  "-|/api/v1/rounds/$round/ballots.pb"
  "-|/api/v1/rounds/$round/calendar.ics"
)

ticks_per_second=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # user + system time of a process, in clock ticks

# What each process spends with no request at all (the silo's timers, the runtime), in ticks per second: taken off
# each row's CPU, so a row measures requests, not the silo idling through a slow run on a busy machine.
idle_rate() { # pid
  local before after
  before=$(cpu_ticks "$1"); sleep 10; after=$(cpu_ticks "$1")
  echo $(((after - before) * 100 / 10)) # hundredths of a tick per second
}

# wrk's summary as "requests/s p50 p99 errors µs-of-CPU-per-request" (errors: socket errors and non-2xx/3xx answers;
# CPU: of the process that answered, over the run, less its idle rate).
measure() { # pid idle-rate url [wrk -H header arguments...]
  local out before after pid=$1 idle=$2 url=$3
  shift 3
  before=$(cpu_ticks "$pid")
  out=$(wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 10s --latency "$@" "$url")
  after=$(cpu_ticks "$pid")
  echo "$out" >>"$work/wrk.log"
  echo "$out" | awk -v ticks=$((after - before)) -v idle="$idle" -v seconds="$seconds" -v hz="$ticks_per_second" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    / requests in / { requests = $1 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /Socket errors/ { gsub(/,/, ""); errors += $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx/ { errors += $5 }
    END { cpu = 0; busy = ticks - idle / 100 * seconds; if (busy < 0) busy = 0; if (requests > 0) cpu = busy * 1000000 / hz / requests; printf "%.0f %.1f %.1f %d %.0f\n", rps, p50, p99, errors, cpu }'
}

# The request headers of a target, as repeated -H arguments (wrk and curl take the same form).
headers_of() { # lang
  local h=()
  [ "$1" = en ] && h+=(-H "$english")
  [ -n "$accept_encoding" ] && h+=(-H "Accept-Encoding: $accept_encoding")
  if [ ${#h[@]} -gt 0 ]; then printf '%s\0' "${h[@]}"; fi
}

# Warm-up: every URL once through wrk for 2 s (code compiled, caches filled), not counted.
for target in "${targets[@]}"; do
  lang=${target%%|*}; path=${target#*|}
  mapfile -d '' headers < <(headers_of "$lang")
  wrk -t1 -c8 -d2s "${headers[@]}" "$web$path" >/dev/null
done
[ -n "$accept_encoding" ] && echo "every request asks for Accept-Encoding: $accept_encoding (bytes: as sent)"
wrk -t1 -c8 -d2s "$bare/" >/dev/null
web_idle=$(idle_rate "$web_pid")
bare_idle=$(idle_rate "$bare_pid")
echo "idle CPU (no requests, 10 s): platform $(awk -v r="$web_idle" -v hz="$ticks_per_second" 'BEGIN { printf "%.1f", r / hz }') % of a core, bare $(awk -v r="$bare_idle" -v hz="$ticks_per_second" 'BEGIN { printf "%.1f", r / hz }') %; taken off each row's CPU per request"

printf '\n%-48s %-4s %9s %-8s %11s %8s %8s %7s %11s %7s %11s %11s %s\n' "url" "lang" "bytes" "coding" "requests/s" "p50 ms" "p99 ms" "errors" "bare req/s" "ratio" "CPU µs/req" "bare µs/req" "load (1 min, after the row)"
worst=100
total_errors=0
for target in "${targets[@]}"; do
  lang=${target%%|*}; path=${target#*|}
  mapfile -d '' headers < <(headers_of "$lang")
  bytes=$(curl -fsS "${headers[@]}" -D "$work/headers" "$web$path" | wc -c)
  coding=$(tr -d '\r' <"$work/headers" | awk -F': ' 'tolower($1) == "content-encoding" { print $2 }')
  read -r bare_rps _ _ _ bare_cpu < <(measure "$bare_pid" "$bare_idle" "$bare/bytes/$bytes")
  read -r rps p50 p99 errors cpu < <(measure "$web_pid" "$web_idle" "$web$path" "${headers[@]}")
  ratio=$(awk -v a="$rps" -v b="$bare_rps" 'BEGIN { r = 0; if (b > 0) r = 100 * a / b; printf "%.0f", r }')
  [ "$ratio" -lt "$worst" ] && worst=$ratio
  total_errors=$((total_errors + errors))
  printf '%-48s %-4s %9s %-8s %11s %8s %8s %7s %11s %6s%% %11s %11s %s\n' "${path/$round/\{round\}}" "$lang" "$bytes" "${coding:-identity}" "$rps" "$p50" "$p99" "$errors" "$bare_rps" "$ratio" "$cpu" "$bare_cpu" "$(cut -d' ' -f1 /proc/loadavg)"
done
echo
echo "lowest ratio to bare Kestrel (same size, same run): ${worst}%; errors ${total_errors} (target: >= 50%, 0 errors); load average now $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
echo "wrk output: $work/wrk.log; platform log: $work/web.log"
if [ "$worst" -lt 50 ] || [ "$total_errors" -gt 0 ]; then status=1; fi
exit $status
