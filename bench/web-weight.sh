#!/usr/bin/env bash
# The call page's first load: the JS and CSS a browser fetches for /m/{slug} (pre-join → call), as published in
# Release and served compressed by MapStaticAssets (its .br/.gz files, made at publish). Target ≤ 300 KB of compressed
# JS + CSS. The e2ee worker is listed apart: only an encrypted meeting loads it, after the page.
# Prints figures; asserts nothing. Usage: bench/web-weight.sh
set -euo pipefail
cd "$(dirname "$0")/.."

out=$(mktemp -d /tmp/conference-web-weight-XXXXXX)
trap 'rm -rf "$out"' EXIT
dotnet publish Conference.Web -c Release -o "$out" -v:q -nologo >/dev/null
www="$out/wwwroot"

# What the page loads: Blazor's script, the stylesheets App.razor links, and what the call components add
# (js/call.js imported at pre-join, css/call.css from PreJoinAndCall's <HeadContent>), plus the scoped-CSS bundle if any.
files=(_framework/blazor.web.js js/call.js css/call.css)
while read -r css; do files+=("$css"); done < <(grep -oE '(Assets\["|href=")[^"]+\.css' Conference.Web/Components/App.razor | sed -E 's/^(Assets\["|href=")//')
[ -f "$www/Conference.Web.styles.css" ] && files+=(Conference.Web.styles.css)

size() { if [ -f "$1" ]; then stat -c %s "$1"; else echo 0; fi; }
row() { printf '%-34s %10s %10s %10s\n' "$@"; }
total_raw=0 total_gz=0 total_br=0
row "file" "raw B" "gzip B" "brotli B"
for file in "${files[@]}"; do
  path="$www/$file"
  [ -f "$path" ] || { echo "missing from the publish output: $file" >&2; exit 1; }
  raw=$(size "$path"); gz=$(size "$path.gz"); br=$(size "$path.br")
  # No precompressed copy (should not happen with MapStaticAssets): measure what gzip -9 would send.
  [ "$gz" = 0 ] && gz=$(gzip -9 -c "$path" | wc -c)
  [ "$br" = 0 ] && br=$gz
  row "$file" "$raw" "$gz" "$br"
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz)); total_br=$((total_br + br))
done
row "total (first load)" "$total_raw" "$total_gz" "$total_br"
worker="$www/js/livekit-e2ee-worker.js"
row "e2ee worker (encrypted only)" "$(size "$worker")" "$(size "$worker.gz")" "$(size "$worker.br")"
printf 'call page first load: %.1f KB brotli, %.1f KB gzip of JS + CSS (target ≤ 300 KB)\n' \
  "$(echo "$total_br / 1024" | bc -l)" "$(echo "$total_gz / 1024" | bc -l)"
