#!/usr/bin/env bash
# The online-vote benchmark: starts a fresh Azurite, the development identity provider and the
# platform (Release, Production settings) on their own ports, runs the load generator, stops all.
# Options go to the load generator, e.g.: benchmarks/online-vote.sh --voters 50000 --seconds 60 --rate 250
set -euo pipefail
source "$(dirname "$0")/../tools/common.sh"
cd "$repo_root"

ensure_azurite
say "Building (Release)"
for project in src/Chiyoda.Civic.Web src/Chiyoda.Civic.IdentityProvider benchmarks/Chiyoda.Civic.LoadGenerator; do
  dotnet build "$project" -c Release -nologo -v quiet -clp:ErrorsOnly
done

work=$(mktemp -d /tmp/civic-bench-XXXXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
storage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:10110/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10111/devstoreaccount1;TableEndpoint=http://127.0.0.1:10112/devstoreaccount1;"

tools/azurite/node_modules/.bin/azurite --silent --skipApiVersionCheck --location "$work/azurite" \
  --blobHost 127.0.0.1 --blobPort 10110 --queueHost 127.0.0.1 --queuePort 10111 --tableHost 127.0.0.1 --tablePort 10112 \
  >"$work/azurite.log" 2>&1 &
pids+=($!)

ASPNETCORE_ENVIRONMENT=Development dotnet src/Chiyoda.Civic.IdentityProvider/bin/Release/net10.0/Chiyoda.Civic.IdentityProvider.dll \
  --contentRoot "$repo_root/src/Chiyoda.Civic.IdentityProvider" --urls http://localhost:5110 \
  --IdentityProvider:Issuer=http://localhost:5110/ --IdentityProvider:WebOrigins:0=http://localhost:5010 \
  --Logging:LogLevel:Default=Warning >"$work/idp.log" 2>&1 &
pids+=($!)
wait_for_http http://localhost:5110/health 60 "The identity provider"

ASPNETCORE_ENVIRONMENT=Production dotnet src/Chiyoda.Civic.Web/bin/Release/net10.0/Chiyoda.Civic.Web.dll \
  --contentRoot "$repo_root/src/Chiyoda.Civic.Web" --urls http://localhost:5010 \
  "--Storage:ConnectionString=$storage" --Authentication:Authority=http://localhost:5110/ \
  --Authentication:ClientSecret=civic-web-dev-secret --Authentication:RequireHttpsMetadata=false \
  --Orleans:Membership=AzureStorage --DataProtection:KeyRing=Blob \
  --Orleans:SiloPort=11121 --Orleans:GatewayPort=30010 --Logging:LogLevel:Default=Warning >"$work/web.log" 2>&1 &
pids+=($!)
wait_for_http http://localhost:5010/health 120 "The platform" || { tail -n 40 "$work/web.log"; exit 1; }

say "Running the load generator"
dotnet benchmarks/Chiyoda.Civic.LoadGenerator/bin/Release/net10.0/Chiyoda.Civic.LoadGenerator.dll \
  --web http://localhost:5010/ --idp http://localhost:5110/ --storage "$storage" "$@"
