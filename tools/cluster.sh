#!/usr/bin/env bash
# A local cluster of 3 silo processes on loopback, with Azurite as membership table, grain storage and
# data-protection key ring:
#   silo 0  web + API + silo   http://localhost:5000   silo port 11111
#   silo 1  web + API + silo   http://localhost:5001   silo port 11112
#   silo 2  silo only          http://localhost:5002   silo port 11113 (answers /health only)
# plus the development identity provider on http://localhost:5100 and Azurite on 10000-10002 (data in
# .data/azurite, shared with ./run.sh; stop one before starting the other, they use the same ports).
# As in production, the silos talk mutual TLS with one certificate and the key ring is stored encrypted
# to another; both are self-signed, made with openssl on first use in .data/cluster/ (no gateways open).
#
#   tools/cluster.sh              build, start everything, print pids; Ctrl-C stops everything
#   tools/cluster.sh status       each silo's pid and readiness
#   tools/cluster.sh kill N       SIGKILL silo N (0-2), as a crash would
#   tools/cluster.sh stop N       SIGTERM silo N: a graceful leave
#   tools/cluster.sh restart N    kill silo N if it runs, start it again, wait until it is ready
# The subcommands act on the cluster started by the first form, from another terminal.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$repo_root"

state=.data/cluster
logs=.data/logs
silo_count=3
web_port() { echo $((5000 + $1)); }
silo_port() { echo $((11111 + $1)); }
pid_of() { cat "$state/silo-$1.pid" 2>/dev/null || true; }
running() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
check_index() {
  if ! [[ "${1:-}" =~ ^[0-9]+$ ]] || [ "$1" -ge "$silo_count" ]; then
    echo "usage: tools/cluster.sh kill|stop|restart N   (N = 0..$((silo_count - 1)))" >&2
    exit 2
  fi
}

# Starts silo N in the background, detached from this shell so that 'restart' from another
# terminal leaves it running; its pid goes to .data/cluster/silo-N.pid.
start_silo() {
  local n=$1 web_enabled=true
  [ "$n" -eq 2 ] && web_enabled=false
  local storage
  storage=$(cat "$state/storage")
  ASPNETCORE_ENVIRONMENT=Development nohup dotnet src/Chiyoda.Civic.Web/bin/Debug/net10.0/Chiyoda.Civic.Web.dll \
    --contentRoot "$repo_root/src/Chiyoda.Civic.Web" --urls "http://localhost:$(web_port "$n")" \
    "--Storage:ConnectionString=$storage" \
    --Orleans:Membership=AzureStorage "--Orleans:ClusterId=$(cat "$state/cluster-id")" \
    "--Orleans:SiloPort=$(silo_port "$n")" --Orleans:AdvertisedIP=127.0.0.1 \
    "--Orleans:Tls:CertificatePath=$repo_root/$state/silo-tls.crt" "--Orleans:Tls:KeyPath=$repo_root/$state/silo-tls.key" \
    --DataProtection:KeyRing=Blob "--DataProtection:CertificatePath=$repo_root/$state/keyring.crt" "--DataProtection:KeyPath=$repo_root/$state/keyring.key" \
    "--Web:Enabled=$web_enabled" \
    >>"$logs/silo-$n.log" 2>&1 </dev/null &
  echo $! >"$state/silo-$n.pid"
}

wait_ready() { # n seconds: until the silo is an active member, or its process has ended
  local url="http://localhost:$(web_port "$1")/health/ready" pid
  pid=$(pid_of "$1")
  for _ in $(seq 1 $(($2 * 5))); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    running "$pid" || break
    sleep 0.2
  done
  echo "Silo $1 did not become ready (log: $logs/silo-$1.log):" >&2
  tail -n 40 "$logs/silo-$1.log" >&2
  return 1
}

status() {
  for n in $(seq 0 $((silo_count - 1))); do
    local pid ready
    pid=$(pid_of "$n")
    if running "$pid"; then
      ready=$(curl -fsS "http://localhost:$(web_port "$n")/health/ready" 2>/dev/null || echo "not ready")
      echo "silo $n  pid $pid  http://localhost:$(web_port "$n")  silo :$(silo_port "$n")  $ready"
    else
      echo "silo $n  not running"
    fi
  done
}

case "${1:-start}" in
  status)
    status
    exit 0
    ;;
  kill)
    check_index "${2:-}"
    pid=$(pid_of "$2")
    running "$pid" || { echo "silo $2 is not running" >&2; exit 1; }
    kill -KILL "$pid"
    echo "silo $2 (pid $pid) killed"
    exit 0
    ;;
  stop)
    check_index "${2:-}"
    pid=$(pid_of "$2")
    running "$pid" || { echo "silo $2 is not running" >&2; exit 1; }
    kill -TERM "$pid"
    echo "silo $2 (pid $pid) asked to leave"
    exit 0
    ;;
  restart)
    check_index "${2:-}"
    [ -f "$state/storage" ] || { echo "no cluster has been started (tools/cluster.sh)" >&2; exit 1; }
    pid=$(pid_of "$2")
    if running "$pid"; then kill -KILL "$pid"; while running "$pid"; do sleep 0.1; done; fi
    start_silo "$2"
    wait_ready "$2" 120
    echo "silo $2 restarted, pid $(pid_of "$2")"
    exit 0
    ;;
  start) ;;
  *)
    sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac

for port in 5000 5001 5002 5100 11111 11112 11113; do
  if port_in_use "$port"; then
    echo "Port $port is in use (is ./run.sh or another cluster running?)" >&2
    exit 1
  fi
done

ensure_azurite
say "Building"
dotnet build Chiyoda.Civic.sln -nologo -v quiet -clp:ErrorsOnly

mkdir -p .data/azurite "$logs" "$state"
rm -f "$state"/silo-*.pid
# The silos' shared TLS certificate and the key ring's, made once and kept (the key ring in Azurite is
# encrypted to the second: deleting it signs everybody out). Both server and client authentication.
make_certificate() { # name subject
  [ -f "$state/$1.crt" ] && [ -f "$state/$1.key" ] && return 0
  command -v openssl >/dev/null || { echo "openssl is needed to make the cluster's certificates (apt-get install openssl)" >&2; exit 1; }
  openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=$2" \
    -addext "extendedKeyUsage=serverAuth,clientAuth" -keyout "$state/$1.key" -out "$state/$1.crt" 2>/dev/null
  chmod 600 "$state/$1.key"
}
make_certificate silo-tls chiyoda-civic-local-silo
make_certificate keyring chiyoda-civic-local-keyring
# A new cluster id per start: membership rows of an earlier run (even one ended by a crash) are
# never mistaken for live silos. Grain state is keyed by the service id, so it is kept.
echo "chiyoda-civic-local-$(date +%Y%m%d%H%M%S)" >"$state/cluster-id"
echo "UseDevelopmentStorage=true" >"$state/storage"

pids=()
stop_all() {
  trap - EXIT INT TERM
  say "Stopping"
  local silo_pids=()
  for n in $(seq 0 $((silo_count - 1))); do
    pid=$(pid_of "$n")
    if running "$pid"; then kill -TERM "$pid" 2>/dev/null || true; silo_pids+=("$pid"); fi
  done
  # Silos leave the cluster gracefully (their membership rows say Dead); give them 30 s.
  for _ in $(seq 1 150); do
    alive=0
    for pid in "${silo_pids[@]}"; do running "$pid" && alive=1; done
    [ "$alive" -eq 0 ] && break
    sleep 0.2
  done
  for pid in "${silo_pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 50); do
    alive=0
    for pid in "${pids[@]}"; do running "$pid" && alive=1; done
    [ "$alive" -eq 0 ] && break
    sleep 0.2
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -f "$state"/silo-*.pid
  say "Stopped"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

if port_in_use 10002; then
  say "Azurite is already listening on 10000-10002; using it"
else
  say "Starting Azurite (data in .data/azurite, log in $logs/azurite.log)"
  # In its own session, so Ctrl-C does not reach it: the silos still need it to leave the cluster
  # cleanly, and stop_all ends it after them.
  setsid tools/azurite/node_modules/.bin/azurite --silent --skipApiVersionCheck --disableTelemetry --location .data/azurite \
    --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 >"$logs/azurite.log" 2>&1 &
  pids+=($!)
fi

export ASPNETCORE_ENVIRONMENT=Development
say "Starting the development identity provider on http://localhost:5100"
dotnet src/Chiyoda.Civic.IdentityProvider/bin/Debug/net10.0/Chiyoda.Civic.IdentityProvider.dll \
  --contentRoot "$repo_root/src/Chiyoda.Civic.IdentityProvider" --urls http://localhost:5100 \
  --IdentityProvider:WebOrigins:0=http://localhost:5000 --IdentityProvider:WebOrigins:1=http://localhost:5001 \
  >"$logs/identity-provider.log" 2>&1 &
pids+=($!)
wait_for_http http://localhost:5100/health 60 "The identity provider" || { tail -n 40 "$logs/identity-provider.log"; exit 1; }

# Silo 0 first: it creates the membership table and the demo round; the others join it.
say "Starting silo 0 (logs in $logs/silo-N.log)"
start_silo 0
wait_ready 0 120
say "Starting silos 1 and 2"
start_silo 1
start_silo 2
wait_ready 1 120
wait_ready 2 120

cat <<MSG

  A 3-silo Chiyoda Civic cluster is running (cluster id $(cat "$state/cluster-id")):
$(status | sed 's/^/    /')
    identity provider  http://localhost:5100   Azurite 127.0.0.1:10000-10002

  Web front ends: http://localhost:5000 and http://localhost:5001 (the same data and sign-in).
  From another terminal: tools/cluster.sh status | kill N | stop N | restart N
  Stop everything with Ctrl-C.

MSG
# Runs until Ctrl-C, or until the identity provider or Azurite stops; silos may be killed and
# restarted meanwhile without ending the cluster.
wait -n "${pids[@]}"
