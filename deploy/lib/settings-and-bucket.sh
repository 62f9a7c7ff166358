# shellcheck shell=bash
# Sourced by backup.sh and restore.sh (after they cd to the deployment's directory, so it is found beside them
# from any working directory and from cron): how they read the deployment's settings and reach its bucket.
# Shipped with the deployment (release.yml packs deploy/ whole); it does nothing by itself.

# A setting from the environment, else from .env in any form compose reads ("NAME=x", "export NAME=x", "NAME = x").
# The environment comes first so that restore.sh on a new host, which has no .env yet, can be given STORAGE_*.
setting() {
  if [ -n "${!1:-}" ]; then
    printf '%s' "${!1}"
  elif [ -f .env ]; then
    sed -nE "s/^[[:space:]]*(export[[:space:]]+)?$1[[:space:]]*=[[:space:]]*//p" .env | tail -n 1 |
      sed -E "s/[[:space:]]+\$//; s/^\"(.*)\"\$/\\1/; s/^'(.*)'\$/\\1/"
  fi
}

# s3 METHOD KEY [CURL ARGUMENTS…]: one request to KEY in the bucket (STORAGE_* settings), as the recorder makes
# them: path-style URLs (Oracle's compatibility endpoint has no virtual-hosted buckets), SigV4 signed by curl, the
# payload left unsigned rather than streamed in aws-chunked form (which Oracle rejects), no checksum the server did
# not ask for. The keys go to curl on stdin, not on its command line, where any user could read them in ps.
s3() {
  local method=$1 key=$2
  shift 2
  printf 'user = "%s:%s"\n' "$(setting STORAGE_ACCESS_KEY)" "$(setting STORAGE_SECRET_KEY)" |
    curl --config - --fail --silent --show-error --retry 3 --request "$method" \
      --aws-sigv4 "aws:amz:$(setting STORAGE_REGION):s3" --header "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
      "$@" "$(setting STORAGE_ENDPOINT | sed 's|/*$||')/$(setting STORAGE_BUCKET)/$key"
}

# The keys of the backup archives in the bucket (backups/conference-YYYYMMDDTHHMMSSZ.tar), one a line, in the
# bucket's order (by name, so oldest first). One listing holds up to 1000 keys: years of daily backups.
bucket_backups() {
  s3 GET "" --get --data-urlencode "list-type=2" --data-urlencode "prefix=backups/conference-" |
    { grep -oE '<Key>backups/conference-[0-9]{8}T[0-9]{6}Z\.tar</Key>' || true; } | sed -E 's|</?Key>||g'
}
