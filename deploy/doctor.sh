#!/usr/bin/env bash
# Checks the deployment in this directory from the host it runs on, and says for each failure how to fix it:
# DNS of DOMAIN and its livekit./dashboard. (and turn.) names, the certificates Caddy serves and their expiry, the
# ports (listening here, and let through by this host's firewall), LiveKit answering with the configured key, a
# signed test webhook reaching the api and the recorder the way LiveKit sends it, Egress connected, the bucket
# writable and readable through a presigned link, the last backup's age, disk space, clock skew, and container
# health and restarts. Run it after every deploy (docs/deploy.md): ./doctor.sh
# Exits 1 when a check fails (warnings alone exit 0). It changes nothing but one probe object in the bucket
# (deleted again) and one webhook event the api stores.
set -uo pipefail
cd "$(dirname "$0")" || exit 1

failures=0
warnings=0
ok() { printf 'ok    %s\n' "$1"; }
warn() {
  printf 'warn  %s\n      fix: %s\n' "$1" "$2"
  warnings=$((warnings + 1))
}
fail() {
  printf 'FAIL  %s\n      fix: %s\n' "$1" "$2"
  failures=$((failures + 1))
}

# A value in .env in any form compose reads ("NAME=x", "export NAME=x", "NAME = x").
setting() {
  sed -nE "s/^[[:space:]]*(export[[:space:]]+)?$1[[:space:]]*=[[:space:]]*//p" .env 2>/dev/null | tail -n 1 |
    sed -E "s/[[:space:]]+\$//; s/^\"(.*)\"\$/\\1/; s/^'(.*)'\$/\\1/"
}

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
hmac_hex() { openssl dgst -sha256 -mac HMAC -macopt "$1" | sed 's/^.* //'; }

# An HS256 JWT with LiveKit's claims (https://docs.livekit.io/home/get-started/authentication/).
jwt() {
  local now header payload
  now=$(date +%s)
  header=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
  payload=$(printf '{"iss":"%s","nbf":%d,"exp":%d,%s}' "$LIVEKIT_API_KEY" "$((now - 10))" "$((now + 300))" "$1" | b64url)
  printf '%s.%s.%s' "$header" "$payload" "$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -hmac "$LIVEKIT_API_SECRET" -binary | b64url)"
}

if [ ! -f .env ]; then
  echo "doctor.sh: no .env here; run it in the deployment's directory (e.g. /opt/conference)" >&2
  exit 1
fi
DOMAIN=$(setting DOMAIN)
LIVEKIT_API_KEY=$(setting LIVEKIT_API_KEY)
LIVEKIT_API_SECRET=$(setting LIVEKIT_API_SECRET)
# Where Caddy answers on this host; the checks ask it for each name directly, whatever DNS says.
https_address=${DOCTOR_HTTPS_ADDRESS:-127.0.0.1:443}
names=("$DOMAIN" "livekit.$DOMAIN" "dashboard.$DOMAIN")
# With TURN on, livekit.yaml names its domain (as "turn.${DOMAIN...}" or similar): one more name to check.
turn=false
turn_prefix=$(sed -nE '/^turn:/,/^[^[:space:]]/ s/^[[:space:]]+domain: "?([a-z0-9.-]*)\$\{DOMAIN[^}]*\}"?$/\1/p' livekit.yaml 2>/dev/null)
if grep -q '^turn:' livekit.yaml 2>/dev/null; then
  turn=true
  if [[ " ${names[*]} " != *" $turn_prefix$DOMAIN "* ]]; then
    names+=("$turn_prefix$DOMAIN")
  fi
fi

echo "== DNS"
public_ip=${DOCTOR_PUBLIC_IP:-$(curl -fsS --max-time 5 https://checkip.amazonaws.com 2>/dev/null | tr -d '[:space:]')}
if [ -z "$public_ip" ]; then
  warn "this host's public IP address could not be learned (https://checkip.amazonaws.com)" "check outbound HTTPS, or run: DOCTOR_PUBLIC_IP=x.x.x.x ./doctor.sh"
fi
for name in "${names[@]}"; do
  addresses=$(getent ahostsv4 "$name" 2>/dev/null | awk '{ print $1 }' | sort -u | tr '\n' ' ')
  if [ -z "$addresses" ]; then
    fail "$name does not resolve" "add an A record $name -> ${public_ip:-the public IP of this host} at your DNS provider (docs/deploy.md section 3), then wait for it to spread"
  elif [ -n "$public_ip" ] && [[ " $addresses" != *" $public_ip "* ]]; then
    fail "$name resolves to ${addresses% }, not this host ($public_ip)" "point the A record of $name at $public_ip (and remove the others)"
  else
    ok "$name -> ${addresses% }"
  fi
done

echo "== Certificates"
for name in "${names[@]}"; do
  certificate=$(openssl s_client -connect "$https_address" -servername "$name" </dev/null 2>/dev/null | openssl x509 2>/dev/null)
  if [ -z "$certificate" ]; then
    fail "no certificate for $name at $https_address" "docker compose logs caddy | grep -i -e error -e acme; Let's Encrypt must reach ports 80 and 443 of this host for $name (DNS above, ports below)"
    continue
  fi
  issuer=$(printf '%s\n' "$certificate" | openssl x509 -noout -issuer 2>/dev/null)
  expires=$(printf '%s\n' "$certificate" | openssl x509 -noout -enddate 2>/dev/null | sed 's/^notAfter=//')
  if ! printf '%s\n' "$certificate" | openssl x509 -noout -checkend 0 >/dev/null 2>&1; then
    fail "the certificate for $name expired ($expires)" "docker compose logs caddy | grep -i -e renew -e error; Caddy renews by itself when ports 80/443 are reachable"
  elif ! printf '%s\n' "$certificate" | openssl x509 -noout -checkend $((14 * 86400)) >/dev/null 2>&1; then
    warn "the certificate for $name expires within 14 days ($expires); Caddy renews 30 days ahead" "docker compose logs caddy | grep -i -e renew -e error"
  elif [[ "$issuer" == *"Caddy Local Authority"* ]]; then
    warn "$name has Caddy's own local certificate, which browsers do not trust" "DOMAIN in .env must be the public name, and Let's Encrypt must reach this host (docker compose logs caddy)"
  else
    ok "$name: certificate valid until $expires"
  fi
done

echo "== Ports"
listening=$(ss -Hlntu 2>/dev/null | awk '{ print $1 " " $5 }')
ports=("80 tcp" "443 tcp" "7881 tcp" "7882 udp")
if $turn; then
  ports+=("3478 udp")
fi
for entry in "${ports[@]}"; do
  read -r port protocol <<<"$entry"
  if grep -Eq "^$protocol .*:$port\$" <<<"$listening"; then
    ok "$port/$protocol is listening"
  else
    fail "nothing listens on $port/$protocol" "docker compose ps (is caddy/livekit running?); docker compose up -d"
  fi
done
# Oracle's images end the INPUT chain with a REJECT: a port should be accepted before it (docs/deploy.md section 2).
# Docker's published ports are forwarded past INPUT, so a missing rule is a warning, not a failure.
if rules=$(iptables -S INPUT 2>/dev/null); then
  reject_at=$(grep -n -- '-j REJECT' <<<"$rules" | head -n 1 | cut -d: -f1)
  for entry in "${ports[@]}"; do
    read -r port protocol <<<"$entry"
    accept_at=$(grep -n -E -- "-p $protocol .*--dport $port( |\$).*-j ACCEPT" <<<"$rules" | head -n 1 | cut -d: -f1)
    if [ -n "$reject_at" ] && { [ -z "$accept_at" ] || [ "$accept_at" -gt "$reject_at" ]; }; then
      warn "this host's firewall rejects $port/$protocol (iptables INPUT has a REJECT before any ACCEPT for it)" \
        "sudo iptables -I INPUT $reject_at -m state --state NEW -p $protocol --dport $port -j ACCEPT && sudo netfilter-persistent save"
    else
      ok "the host firewall lets $port/$protocol through"
    fi
  done
else
  warn "the host firewall could not be read (iptables needs root)" "sudo ./doctor.sh"
fi
echo "      (Oracle's security list is outside this host: check it lists the same ports, docs/deploy.md section 2)"

echo "== LiveKit"
livekit_host=livekit.$DOMAIN
answer=$(curl -sS --max-time 10 --resolve "$livekit_host:${https_address##*:}:${https_address%:*}" -o /dev/null -w '%{http_code}' \
  -X POST -H "Authorization: Bearer $(jwt '"sub":"doctor","video":{"roomList":true}')" -H 'Content-Type: application/json' -d '{}' \
  "https://$livekit_host:${https_address##*:}/twirp/livekit.RoomService/ListRooms" 2>&1)
case $answer in
  200) ok "LiveKit answers at https://$livekit_host with LIVEKIT_API_KEY $LIVEKIT_API_KEY" ;;
  401) fail "LiveKit refuses LIVEKIT_API_KEY/LIVEKIT_API_SECRET from .env" "they changed since LiveKit started: docker compose up -d --force-recreate livekit egress api recorder" ;;
  *) fail "LiveKit does not answer at https://$livekit_host ($answer)" "docker compose ps livekit; docker compose logs --tail=50 livekit" ;;
esac

# A signed webhook from inside the LiveKit container, the way LiveKit delivers them (busybox wget there).
body=$(printf '{"event":"room_finished","id":"doctor-%s","createdAt":"%s","room":{"sid":"RM_doctor","name":"doctor-probe"}}' "$(date +%s)" "$(date +%s)")
digest=$(printf '%s' "$body" | openssl dgst -sha256 -binary | openssl base64 -A)
token=$(jwt "\"sha256\":\"$digest\"")
for receiver in "api http://api:8080/api/webhooks/livekit" "recorder http://recorder:8080/webhooks/livekit"; do
  read -r service url <<<"$receiver"
  if docker compose exec -T livekit wget -q -O /dev/null --header "Authorization: $token" --header "Content-Type: application/webhook+json" \
      --post-data "$body" "$url" >/dev/null 2>&1; then
    ok "a signed webhook reaches the $service"
  else
    fail "a signed webhook does not reach the $service ($url)" "docker compose logs --tail=50 $service | grep -i webhook; LIVEKIT_API_KEY/SECRET must be the same for livekit and $service: docker compose up -d --force-recreate livekit $service"
  fi
done

# Egress says it is ready once, when it starts: read its log since its last start (a fixed window such as the last
# day would fail on any host whose Egress has been up longer, and would accept a message from before a restart).
egress_started=$(docker compose ps --all --quiet egress 2>/dev/null | head -n 1 | xargs -r docker inspect --format '{{.State.StartedAt}}' 2>/dev/null)
if [ -z "$egress_started" ]; then
  fail "there is no Egress container" "docker compose up -d egress"
elif docker compose logs --since "$egress_started" egress 2>/dev/null | grep -qiE 'connected|service ready|waiting for requests'; then
  ok "Egress is connected"
else
  fail "Egress has not said it is connected since it started ($egress_started)" "docker compose logs --tail=50 egress; it needs redis and livekit healthy: docker compose up -d egress"
fi

echo "== Bucket"
endpoint=$(setting STORAGE_ENDPOINT | sed 's|/*$||')
bucket=$(setting STORAGE_BUCKET)
region=$(setting STORAGE_REGION)
access=$(setting STORAGE_ACCESS_KEY)
secret=$(setting STORAGE_SECRET_KEY)
s3() {
  local method=$1 key=$2
  shift 2
  printf 'user = "%s:%s"\n' "$access" "$secret" |
    curl --config - --fail --silent --show-error --max-time 20 --request "$method" --aws-sigv4 "aws:amz:$region:s3" \
      --header "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@" "$endpoint/$bucket/$key"
}
# A SigV4 presigned GET (query-string authentication), as the recorder hands out to browsers.
presign() {
  local key=$1 now day host scope query canonical signing
  now=$(date -u +%Y%m%dT%H%M%SZ)
  day=${now%%T*}
  host=${endpoint#*://}
  scope="$day/$region/s3/aws4_request"
  query="X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=$access%2F${scope//\//%2F}&X-Amz-Date=$now&X-Amz-Expires=300&X-Amz-SignedHeaders=host"
  canonical=$(printf 'GET\n/%s/%s\n%s\nhost:%s\n\nhost\nUNSIGNED-PAYLOAD' "$bucket" "$key" "$query" "$host")
  signing=$(printf '%s' "$day" | hmac_hex "key:AWS4$secret")
  signing=$(printf '%s' "$region" | hmac_hex "hexkey:$signing")
  signing=$(printf 's3' | hmac_hex "hexkey:$signing")
  signing=$(printf 'aws4_request' | hmac_hex "hexkey:$signing")
  printf '%s/%s/%s?%s&X-Amz-Signature=%s' "$endpoint" "$bucket" "$key" "$query" \
    "$(printf 'AWS4-HMAC-SHA256\n%s\n%s\n%s' "$now" "$scope" "$(printf '%s' "$canonical" | openssl dgst -sha256 | sed 's/^.* //')" | hmac_hex "hexkey:$signing")"
}
probe_key="doctor/probe-$(date -u +%Y%m%dT%H%M%SZ)-$$"
probe_text="written by doctor.sh on $(hostname) at $(date -u)"
# From a file: curl's stdin carries the keys.
probe_file=$(mktemp)
trap 'rm -f "$probe_file"' EXIT
printf '%s' "$probe_text" > "$probe_file"
if ! error=$(s3 PUT "$probe_key" --upload-file "$probe_file" --output /dev/null 2>&1); then
  fail "cannot write to bucket $bucket at $endpoint ($error)" "check STORAGE_ENDPOINT, STORAGE_REGION, STORAGE_BUCKET and the keys in .env, and that the keys' user may manage objects in the bucket (docs/deploy.md section 2)"
else
  ok "bucket $bucket is writable"
  if [ "$(curl -fsS --max-time 20 "$(presign "$probe_key")" 2>/dev/null)" = "$probe_text" ]; then
    ok "a presigned link reads it back"
  else
    fail "a presigned link to bucket $bucket does not read back what was written" "STORAGE_REGION must be the bucket's region (e.g. eu-frankfurt-1) and the clock right (below); browsers download recordings this way"
  fi
  s3 DELETE "$probe_key" --output /dev/null >/dev/null 2>&1 || warn "the probe $probe_key could not be deleted" "delete it in the bucket's console"
fi

echo "== Backups"
if [ -f backups/latest ] && [ -f "backups/$(cat backups/latest)" ]; then
  latest="backups/$(cat backups/latest)"
  age_hours=$((($(date +%s) - $(stat -c %Y "$latest")) / 3600))
  if [ "$age_hours" -ge 26 ]; then
    fail "the last backup ($latest) is $age_hours hours old" "is the cron line there (crontab -l; docs/deploy.md section 8)? Run ./backup.sh and read its error"
  else
    ok "last backup $latest, $age_hours hours old"
  fi
else
  fail "no backup yet (backups/latest)" "./backup.sh, then add the daily cron line (docs/deploy.md section 8)"
fi

echo "== Host"
while read -r mount available percent; do
  if [ "$available" -lt $((5 * 1024 * 1024)) ] || [ "${percent%\%}" -ge 90 ]; then
    fail "$mount has $((available / 1024)) MB free ($percent used)" "docker system prune (old images); delete old recordings; or grow the boot volume"
  else
    ok "$mount: $((available / 1024 / 1024)) GB free ($percent used)"
  fi
done < <(df -P -k . "${DOCKER_ROOT:-/var/lib/docker}" 2>/dev/null | awk 'NR > 1 { print $6, $4, $5 }' | sort -u)

# S3 refuses signatures more than 15 minutes off; LiveKit's tokens carry times too. The bucket's Date header is
# an outside clock this host must reach anyway.
remote_date=$(curl -sSI --max-time 10 "$endpoint/" 2>/dev/null | sed -nE 's/^[Dd]ate: (.*)\r?$/\1/p' | head -n 1)
if [ -n "$remote_date" ] && remote=$(date -d "$remote_date" +%s 2>/dev/null); then
  skew=$(($(date +%s) - remote))
  if [ "${skew#-}" -gt 60 ]; then
    fail "this host's clock is ${skew} s off the bucket's" "sudo timedatectl set-ntp true (and check systemctl status systemd-timesyncd)"
  else
    ok "clock within ${skew#-} s of the bucket's"
  fi
else
  warn "the clock could not be compared (no Date from $endpoint)" "timedatectl status should say: System clock synchronized: yes"
fi

echo "== Containers"
if ! states=$(docker compose ps --all --format '{{.Service}} {{.State}} {{.Health}}' 2>&1); then
  fail "docker compose ps failed: $states" "is Docker running (sudo systemctl status docker) and is this the deployment's directory?"
else
  while read -r service state health; do
    [ -n "$service" ] || continue
    if [ "$state" != running ] || { [ -n "$health" ] && [ "$health" != healthy ]; }; then
      fail "$service is $state${health:+ ($health)}" "docker compose logs --tail=50 $service; then docker compose up -d $service"
    else
      ok "$service is running${health:+ and $health}"
    fi
  done <<<"$states"
  while read -r name restarts; do
    if [ "${restarts:-0}" -gt 3 ]; then
      warn "${name#/} restarted $restarts times" "docker compose logs --tail=100 ${name#/} (out of memory? dmesg | grep -i oom)"
    fi
  done < <(docker compose ps --all --quiet 2>/dev/null | xargs -r docker inspect --format '{{.Name}} {{.RestartCount}}' 2>/dev/null)
fi

echo
if [ "$failures" -gt 0 ]; then
  echo "doctor.sh: $failures check(s) failed, $warnings warning(s); fix them from the top (later checks often follow from earlier ones)"
  exit 1
fi
echo "doctor.sh: all checks passed ($warnings warning(s))"
