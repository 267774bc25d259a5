#!/usr/bin/env bash
# Records the REST2 answers the RT parsers' unit tests read (electron/core/tickets/rt/fixtures/),
# from the seeded test RT (`bash scripts/rt/rt.sh up` first, on a freshly wiped state for stable ids).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$HERE/../../electron/core/tickets/rt/fixtures"
eval "$(bash "$HERE/rt.sh" env)"
API="$RT_URL/REST/2.0"
ENGINEER="Authorization: token $(cat "$RT_TOKEN_FILE_ENGINEER")"
NORIGHT="Authorization: token $(cat "$RT_TOKEN_FILE_NORIGHT")"
mkdir -p "$OUT"
get() { local out=$1 auth=$2 path=$3; curl -sS -H "$auth" "$API$path" >"$OUT/$out"; }
# Head and body of a call, as `curl -i` prints them (status line, headers, blank line, body).
raw() { local out=$1; shift; curl -sS -i "$@" | tr -d '\r' >"$OUT/$out"; }

get rt-version.json "$ENGINEER" /rt
get ticket-1.json "$ENGINEER" /ticket/1
get queue-3.json "$ENGINEER" /queue/3
get user-35.json "$ENGINEER" /user/35
get queues-engineer.json "$ENGINEER" '/queues/all'
get queues-noright.json "$NORIGHT" '/queues/all'
get search-mine.json "$ENGINEER" "/tickets?query=$(printf %s "Owner = '__CurrentUser__' AND Status != 'resolved' AND Status != 'rejected' AND Status != 'deleted'" | jq -sRr @uri)&fields=Subject,Status,Queue,LastUpdated&fields%5BQueue%5D=Name&orderby=LastUpdated&order=DESC&per_page=50"
raw error-401.http -H 'Authorization: token 1-35-0000' "$API/rt"
raw error-403-hidden.http -H "$ENGINEER" "$API/ticket/5"
raw error-404.http -H "$ENGINEER" "$API/ticket/99999"
raw comment-201.http -H "$ENGINEER" -H 'Content-Type: application/json' -X POST "$API/ticket/3/comment" \
  -d "{\"Subject\":\"Finding: fixture [bl-00000000fixture]\",\"Content\":\"<p>Recorded for the parser tests.</p>\",\"ContentType\":\"text/html\",\"Attachments\":[{\"FileName\":\"out.txt\",\"FileType\":\"text/plain\",\"FileContent\":\"$(printf 'line 1\nline 2\n' | base64 -w0)\"}]}"
get history-3.json "$ENGINEER" '/ticket/3/history?fields=Type,Data,Created&per_page=100&orderby=id&order=DESC'
echo "Recorded into $OUT"
