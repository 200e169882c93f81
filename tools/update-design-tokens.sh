#!/usr/bin/env bash
# Refreshes the vendored Digital Agency design tokens (src/Chiyoda.Civic.Web/wwwroot/css/design-tokens.css)
# from npm. The CSS is committed so that building needs no npm; run this to move to another version,
# then check CivicTheme.cs (DesignTokensTests compares its colours with the file).
set -euo pipefail
version="${1:-1.1.9}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund "@digital-go-jp/design-tokens@$version" >/dev/null)
out="$root/src/Chiyoda.Civic.Web/wwwroot/css/design-tokens.css"
{
  printf '/*\n * Vendored, unchanged below this comment: @digital-go-jp/design-tokens %s (npm), dist/tokens.css,\n' "$version"
  printf " * the Digital Agency design system's tokens (MIT licence, (c) Digital Agency, Government of Japan).\n"
  printf ' * Refresh with tools/update-design-tokens.sh; app.css and Components/Layout/CivicTheme.cs read these names.\n */\n'
  cat "$work/node_modules/@digital-go-jp/design-tokens/dist/tokens.css"
} > "$out"
echo "wrote $out"
