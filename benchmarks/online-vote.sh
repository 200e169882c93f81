#!/usr/bin/env bash
# The online-vote benchmark: starts a fresh Azurite, the development identity provider and the
# platform (Release, Production settings) on their own ports, runs the load generator, stops all.
# Options go to the load generator, e.g.: benchmarks/online-vote.sh --voters 50000 --seconds 60 --rate 250
# except --silos N (default 1): N silo processes in one cluster, the last one silo-only when N > 1,
# and --azurite-in-memory (diagnosis only, not durable).
set -euo pipefail
source "$(dirname "$0")/../tools/common.sh"
cd "$repo_root"

silos=1
args=()
azurite_store=()
while [ $# -gt 0 ]; do
  case "$1" in
    --silos) silos=$2; shift 2 ;;
    # Diagnosis only: Azurite keeps its tables in memory, without the whole-database save every 5 s
    # that stalls it as the table grows. Not durable, so never a result.
    --azurite-in-memory) azurite_store=(--inMemoryPersistence); shift ;;
    *) args+=("$1"); shift ;;
  esac
done
set -- "${args[@]}"

ensure_azurite
say "Building (Release)"
for project in src/Chiyoda.Civic.Web src/Chiyoda.Civic.IdentityProvider benchmarks/Chiyoda.Civic.LoadGenerator; do
  dotnet build "$project" -c Release -nologo -v quiet -clp:ErrorsOnly
done

work=$(mktemp -d /tmp/civic-bench-XXXXXX)
pids=()
# The logs stay in $work for a look after the run; Azurite's database (hundreds of MB) does not.
# Stopped in reverse order of start, so the silos leave the cluster while Azurite still answers (else
# they spend minutes retrying it on the way out).
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
storage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:10110/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10111/devstoreaccount1;TableEndpoint=http://127.0.0.1:10112/devstoreaccount1;"

[ ${#azurite_store[@]} -gt 0 ] || azurite_store=(--location "$work/azurite")
tools/azurite/node_modules/.bin/azurite --silent --skipApiVersionCheck --disableTelemetry "${azurite_store[@]}" \
  --blobHost 127.0.0.1 --blobPort 10110 --queueHost 127.0.0.1 --queuePort 10111 --tableHost 127.0.0.1 --tablePort 10112 \
  >"$work/azurite.log" 2>&1 &
pids+=($!)

ASPNETCORE_ENVIRONMENT=Development dotnet src/Chiyoda.Civic.IdentityProvider/bin/Release/net10.0/Chiyoda.Civic.IdentityProvider.dll \
  --contentRoot "$repo_root/src/Chiyoda.Civic.IdentityProvider" --urls http://localhost:5110 \
  --IdentityProvider:Issuer=http://localhost:5110/ --IdentityProvider:WebOrigins:0=http://localhost:5010 \
  --IdentityProvider:WebOrigins:1=http://localhost:5011 --IdentityProvider:AccessTokenMinutes=720 \
  --Logging:LogLevel:Default=Warning >"$work/idp.log" 2>&1 &
pids+=($!)
wait_for_http http://localhost:5110/health 60 "The identity provider"

# Production refuses to start without the silos' TLS certificate and the key ring's: self-signed, for this run.
for name in silo-tls keyring; do
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=chiyoda-civic-bench-$name" \
    -addext "extendedKeyUsage=serverAuth,clientAuth" -keyout "$work/$name.key" -out "$work/$name.crt" 2>/dev/null
done

# One process by default; --silos 3 starts a cluster as tools/cluster.sh does (silos 0 and 1 serve the
# web and API, silo 2 is a silo only), and the load generator spreads voters over the front ends.
fronts=()
web_pids=()
# Every silo seals ballots with the same key (as production does with a Key Vault secret); one per run.
ballot_key=$(head -c 32 /dev/urandom | base64)
for n in $(seq 0 $((silos - 1))); do
  web_enabled=true
  if [ "$silos" -gt 1 ] && [ "$n" -eq $((silos - 1)) ]; then web_enabled=false; fi
  env ASPNETCORE_ENVIRONMENT=Production ${SILO_ENV:-} dotnet src/Chiyoda.Civic.Web/bin/Release/net10.0/Chiyoda.Civic.Web.dll \
    --contentRoot "$repo_root/src/Chiyoda.Civic.Web" --urls "http://localhost:$((5010 + n))" \
    "--Storage:ConnectionString=$storage" --Authentication:Authority=http://localhost:5110/ \
    --Authentication:ClientSecret=civic-web-dev-secret --Authentication:RequireHttpsMetadata=false \
    --Orleans:Membership=AzureStorage --Orleans:ClusterId=bench --DataProtection:KeyRing=Blob "--Web:Enabled=$web_enabled" "--Ballots:EncryptionKey=$ballot_key" \
    "--Orleans:Tls:CertificatePath=$work/silo-tls.crt" "--Orleans:Tls:KeyPath=$work/silo-tls.key" \
    "--DataProtection:CertificatePath=$work/keyring.crt" "--DataProtection:KeyPath=$work/keyring.key" \
    --AllowedHosts=localhost "--Site:Url=http://localhost:$((5010 + n))/" \
    "--Orleans:SiloPort=$((11121 + n))" --Logging:LogLevel:Default=Warning >"$work/web-$n.log" 2>&1 &
  pids+=($!)
  web_pids+=($!)
  wait_for_http "http://localhost:$((5010 + n))/health/ready" 120 "Silo $n" || { tail -n 40 "$work/web-$n.log"; exit 1; }
  if [ "$web_enabled" = true ]; then fronts+=("http://localhost:$((5010 + n))/"); fi
done

rss_mb() { local total=0; for pid in "${web_pids[@]}"; do total=$((total + $(awk '/VmRSS/ {print $2}' "/proc/$pid/status"))); done; echo $((total / 1024)); }
rss_before=$(rss_mb)

say "Running the load generator"
# The token cache lives in the clone's .data/, which a fresh clone does not have yet.
mkdir -p "$repo_root/.data"
status=0
dotnet benchmarks/Chiyoda.Civic.LoadGenerator/bin/Release/net10.0/Chiyoda.Civic.LoadGenerator.dll \
  --web "$(IFS=,; echo "${fronts[*]}")" --idp http://localhost:5110/ --storage "$storage" \
  --token-cache "$repo_root/.data/bench-tokens.tsv" "$@" | tee "$work/load.log" || status=$?

# Memory: the silos' resident memory before the load and after it, per 100,000 ballots cast (each one
# an active ballot grain until idle collection, plus its share of tally and register shards).
rss_after=$(rss_mb)
ballots=$(sed -n 's/^check: voters with an acknowledged ballot \([0-9,]*\).*/\1/p' "$work/load.log" | tr -d ,)
if [ -n "$ballots" ] && [ "$ballots" -gt 0 ]; then
  echo "memory: silos' resident set ${rss_before} MB before, ${rss_after} MB after ${ballots} active ballot grains = $(( (rss_after - rss_before) * 100000 / ballots )) MB per 100,000"
fi
exit $status
