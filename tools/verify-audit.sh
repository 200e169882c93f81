#!/usr/bin/env bash
# Checks the hash chain of a round's audit log as exported (GET /api/v1/rounds/{id}/audit.csv), with bash and
# sha256sum only. Each line after the header ends in prev_sha256: the SHA-256 of the previous line's bytes
# exactly as in the file, without its CRLF (64 zeros for the first entry). Given the head published with the
# results ("auditLog": {"entries": N, "headSha256": H} in the results JSON), it also checks that the first N
# entries end in H, so the published part of the log cannot have been rewritten, even consistently.
#
#   tools/verify-audit.sh audit.csv [N H]
#
# Prints "ok: <entries> entries, head <sha256>" and exits 0, or says where the chain breaks and exits 1.
set -euo pipefail

file=${1:?usage: verify-audit.sh audit.csv [published-entries published-head-sha256]}
want_entries=${2:-}
want_head=${3:-}
header='entry_id,at,actor_sub,actor_name,action,subject,before,after,seq,prev_sha256'

prev=0000000000000000000000000000000000000000000000000000000000000000
n=0
published=''
first=1
while IFS= read -r line || [ -n "$line" ]; do
  line=${line%$'\r'}
  if [ "$first" = 1 ]; then
    first=0
    line=${line#$'\xef\xbb\xbf'}  # the BOM the file is served with (for Excel) comes before the header
    [ "$line" = "$header" ] || { echo "not an audit.csv: unexpected header" >&2; exit 1; }
    continue
  fi
  rest=${line%,*}
  if [ "${line##*,}" != "$prev" ] || [ "${rest##*,}" != "$n" ]; then
    echo "chain broken at entry $n (line $((n + 2))): it does not follow the line before" >&2
    exit 1
  fi
  prev=$(printf '%s' "$line" | sha256sum | cut -d' ' -f1)
  n=$((n + 1))
  if [ -n "$want_entries" ] && [ "$n" = "$want_entries" ]; then
    published=$prev
  fi
done < "$file"

if [ -n "$want_entries" ]; then
  if [ "$want_entries" = 0 ]; then
    published=0000000000000000000000000000000000000000000000000000000000000000
  fi
  if [ "$published" != "$want_head" ]; then
    echo "the first $want_entries entries do not end in the published head $want_head (found ${published:-fewer entries})" >&2
    exit 1
  fi
fi

echo "ok: $n entries, head $prev"
