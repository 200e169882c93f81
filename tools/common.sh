# Shared by run.sh and test.sh: install what the platform needs from the registries, nothing by hand.

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# Azurite, the Azure Storage emulator, pinned by tools/azurite/package-lock.json.
ensure_azurite() {
  if [ ! -x "$repo_root/tools/azurite/node_modules/.bin/azurite" ]; then
    say "Installing Azurite (npm ci in tools/azurite)"
    (cd "$repo_root/tools/azurite" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# Debian's Chromium for the browser tests (Playwright's own browser download does not work here).
ensure_chromium() {
  # The Japanese font too: without it every Japanese character in the tests' screenshots is an empty box.
  if [ -x /usr/bin/chromium ] && fc-list :lang=ja 2>/dev/null | grep -q .; then
    return
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "Chromium or a Japanese font is missing: run 'sudo apt-get install -y chromium fonts-noto-cjk' once, then try again." >&2
    exit 1
  fi
  say "Installing Chromium and a Japanese font (apt-get install chromium fonts-noto-cjk)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
}

wait_for_http() { # url seconds name
  local url="$1" seconds="$2" name="$3"
  for _ in $(seq 1 $((seconds * 5))); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "$name did not answer $url within ${seconds}s" >&2
  return 1
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
