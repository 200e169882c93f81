#!/usr/bin/env bash
# Runs Chiyoda Civic on this machine: Azurite with its data in .data/azurite (kept across restarts),
# the development identity provider on http://localhost:5100 and the platform on http://localhost:5000.
# Ctrl-C stops all three.
set -euo pipefail
source "$(dirname "$0")/tools/common.sh"
cd "$repo_root"

ensure_azurite
say "Building"
dotnet build Chiyoda.Civic.sln -nologo -v quiet -clp:ErrorsOnly

mkdir -p .data/azurite .data/logs
pids=()
stop_all() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  say "Stopped"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

if port_in_use 10002; then
  say "Azurite is already listening on 10000-10002; using it"
else
  say "Starting Azurite (data in .data/azurite, log in .data/logs/azurite.log)"
  tools/azurite/node_modules/.bin/azurite --silent --skipApiVersionCheck --disableTelemetry --location .data/azurite \
    --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 >.data/logs/azurite.log 2>&1 &
  pids+=($!)
fi

# The mail catcher: notices emailed by the platform land here, readable at http://localhost:5200.
say "Restoring the mail catcher (dotnet tool restore: smtp4dev, pinned in .config/dotnet-tools.json)"
dotnet tool restore >/dev/null
if port_in_use 2525; then
  say "Something is already listening on 2525; the platform sends its email there"
else
  say "Starting the mail catcher (SMTP 127.0.0.1:2525, mail at http://localhost:5200, log in .data/logs/smtp4dev.log)"
  dotnet tool run smtp4dev -- --urls=http://localhost:5200 --smtpport=2525 --imapport= --pop3port= \
    --allowremoteconnections- --nousersettings --baseappdatapath="$repo_root/.data/smtp4dev" --db=smtp4dev.db \
    >.data/logs/smtp4dev.log 2>&1 &
  pids+=($!)
  wait_for_http http://localhost:5200/ 60 "The mail catcher" || { tail -n 40 .data/logs/smtp4dev.log; exit 1; }
fi

export ASPNETCORE_ENVIRONMENT=Development
say "Starting the development identity provider on http://localhost:5100"
dotnet src/Chiyoda.Civic.IdentityProvider/bin/Debug/net10.0/Chiyoda.Civic.IdentityProvider.dll \
  --contentRoot "$repo_root"/src/Chiyoda.Civic.IdentityProvider --urls http://localhost:5100 >.data/logs/identity-provider.log 2>&1 &
pids+=($!)
wait_for_http http://localhost:5100/health 60 "The identity provider" || { tail -n 40 .data/logs/identity-provider.log; exit 1; }

say "Starting the platform on http://localhost:5000"
dotnet src/Chiyoda.Civic.Web/bin/Debug/net10.0/Chiyoda.Civic.Web.dll \
  --contentRoot "$repo_root"/src/Chiyoda.Civic.Web --urls http://localhost:5000 \
  --Email:Smtp:Host=127.0.0.1 --Email:Smtp:Port=2525 --Email:Smtp:Security=None \
  "--Email:Smtp:From=千代田区 デジタル活用提案（開発） <no-reply@example.jp>" --Site:Url=http://localhost:5000/ \
  >.data/logs/web.log 2>&1 &
pids+=($!)
wait_for_http http://localhost:5000/health 120 "The platform" || { tail -n 40 .data/logs/web.log; exit 1; }

cat <<MSG

  Chiyoda Civic is running:  http://localhost:5000
  Sign in as: resident-17, resident-18-tomorrow, resident-18, resident-45, resident-80, worker,
              screener, clerk, admin, or voter:<key>; password: chiyoda
  Email the platform sends (status notices to proposers): http://localhost:5200 (smtp4dev)
  Data: .data/azurite (delete it to start afresh).  Logs: .data/logs/.  Stop with Ctrl-C.

MSG
# Runs until Ctrl-C, or until any of the three stops by itself.
wait -n
