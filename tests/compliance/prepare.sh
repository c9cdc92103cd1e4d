#!/usr/bin/env bash
# Copies the official Socket.IO protocol suite into the build folder and installs its
# dependencies there, once: `npm ci` runs again only when the suite's package-lock.json
# changed. The suite itself is never edited.
#   prepare.sh SUITE_DIR COPY_DIR
set -euo pipefail
suite=$1
copy=$2
if [[ ! -f $suite/test-suite.js ]]; then
  echo "compliance: the suite is not at $suite (configure with -DSWITCHBOARD_COMPLIANCE_SUITE=...)" >&2
  # CI must run it; elsewhere a checkout without the suite skips it.
  [[ -n ${CI:-} ]] && exit 1
  exit 77
fi
mkdir -p "$copy"
# The suite's own files, refreshed every run; node_modules stays.
for file in "$suite"/*; do
  [[ $(basename "$file") == node_modules ]] && continue
  cp -R "$file" "$copy/"
done
stamp=$copy/node_modules/.package-lock.json.installed
if [[ -f $stamp ]] && cmp -s "$copy/package-lock.json" "$stamp"; then
  echo "compliance: dependencies up to date in $copy"
  exit 0
fi
(cd "$copy" && "${SWITCHBOARD_NPM:-npm}" ci --no-audit --no-fund --loglevel=error)
cp "$copy/package-lock.json" "$stamp"
