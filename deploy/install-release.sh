#!/usr/bin/env bash
# Installs a downloaded release of the deployment in this directory and starts it:
#   ./install-release.sh conference-deploy-v1.2.0.tar.gz
# Keeps the running release's files in .previous/ (upgrade.sh puts them back when it rolls back, and deletes them
# once the new files run healthy), copies the new release's files over them (.env, backups/ and the logs are not
# part of a release and are left alone), then runs the new release's upgrade.sh with its version. The release may be
# the version that runs (its TURN tarball over the plain one, or the same again): upgrade.sh rolls that back too.
# Exits non-zero when anything fails.
#
# Everything runs inside main, called from the last line together with exit: bash has read the whole script before
# the new release's copy of this file replaces it.

main() {
  set -euo pipefail
  cd "$(dirname "$0")"

  local tarball=${1:-}
  if [ -z "$tarball" ] || [ ! -f "$tarball" ]; then
    echo "usage: install-release.sh conference-deploy-VERSION.tar.gz (download it from the GitHub release; docs/deploy.md)" >&2
    return 1
  fi

  local unpacked
  unpacked=$(mktemp -d)
  trap 'rm -rf "$unpacked"' RETURN
  if ! tar -C "$unpacked" -xzf "$tarball" --strip-components=1 || [ ! -f "$unpacked/VERSION" ] || [ ! -f "$unpacked/upgrade.sh" ]; then
    echo "install-release.sh: $tarball is not a release of this deployment (no VERSION and upgrade.sh inside)" >&2
    return 1
  fi
  local version
  version=$(cat "$unpacked/VERSION")

  # The running release's files: the ones it listed when it was installed, else the ones the new release has.
  local -a files
  if [ -f .release-files ]; then
    mapfile -t files < .release-files
  else
    mapfile -t files < <(cd "$unpacked" && find . -type f | sed 's|^\./||')
  fi
  rm -rf .previous
  mkdir .previous
  if [ -f .release-files ]; then
    cp -a .release-files .previous/
  fi
  local file
  for file in "${files[@]}"; do
    if [ -f "$file" ]; then
      mkdir -p ".previous/$(dirname "$file")"
      cp -a "$file" ".previous/$file"
    fi
  done

  (cd "$unpacked" && find . -type f | sed 's|^\./||') > .release-files
  cp -a "$unpacked/." .
  echo "install-release.sh: installed the files of $version (the running release's are in .previous/)"
  ./upgrade.sh "$version"
}

main "$@"; exit
