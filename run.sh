#!/usr/bin/env bash
# Quick start: installs what is missing, builds the server and every plugin, and serves
# examples/first-run/switchboard.yaml (all shipped features, SQLite under data/, this
# machine only). Prints the URL, a token to connect with and how to mint more.
# Extra arguments go to `switchboard serve` (./run.sh --port 8080);
# SWITCHBOARD_CONFIG=path/to/switchboard.yaml serves another deployment.
set -euo pipefail
cd "$(dirname "$0")"
tools/install-deps
# The browser files the server serves (the Socket.IO client bundle, Yjs for the demo
# page) come from npm, pinned in web/package-lock.json, copied next to the binary by the build.
if [[ ! -d web/node_modules ]]; then
  if command -v npm >/dev/null; then
    npm ci --prefix web --no-audit --no-fund --loglevel=error
  else
    echo "run.sh: npm is missing (apt-get install npm): the demo page will not load its scripts" >&2
  fi
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSWITCHBOARD_TESTS=OFF -DSWITCHBOARD_BENCH=OFF >/dev/null
cmake --build build -j"$(nproc)"   # the server and the plugins in plugins/

config=${SWITCHBOARD_CONFIG:-examples/first-run/switchboard.yaml}
[[ -f "$config" ]] || { echo "run.sh: no deployment file at $config" >&2; exit 1; }

# Development secrets, made on the first run and kept (data/ is not in git) so that
# tokens and backend keys stay valid across restarts. Variables already set win.
mkdir -p data
secrets=data/first-run.env
if [[ ! -f "$secrets" ]]; then
  random_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
  (umask 077 && printf 'first_run_jwt_secret=%s\nfirst_run_api_key=%s\n' "$(random_hex 32)" "$(random_hex 24)" >"$secrets")
fi
# shellcheck source=/dev/null
source "$secrets"
export SWITCHBOARD_JWT_SECRET=${SWITCHBOARD_JWT_SECRET:-$first_run_jwt_secret}
export SWITCHBOARD_API_KEY=${SWITCHBOARD_API_KEY:-$first_run_api_key}

# The address clients use: the config's port unless --port / -p says otherwise.
port=$(sed -n 's/^  port:[[:space:]]*\([0-9]*\).*/\1/p' "$config" | head -n1)
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    -p | --port) port=${args[i + 1]:-$port} ;;
    --port=*) port=${args[i]#--port=} ;;
  esac
done
url="http://localhost:${port:-3000}"
token=$(build/switchboard token --config "$config" --sub demo --name Demo --roles admin --ttl 7d 2>/dev/null)

cat <<EOF

  Switchboard: $url   (deployment: $config)

  The demo page (every feature; sign in with any name, open a second window as someone else):
    $url/demo

  A token for the user "demo" (valid 7 days, role admin):
    $token
  More users:  SWITCHBOARD_JWT_SECRET=\$(sed -n 's/^first_run_jwt_secret=//p' $secrets) \\
                 build/switchboard token --config $config --sub alice --name Alice

  Connect (any Socket.IO v4 client; Node: npm install socket.io-client):
    node -e 'const s = require("socket.io-client").io("$url", {auth: {token: process.argv[1]}});
             s.on("connect", () => { console.log("connected", s.id); s.emit("chat:rooms", {}, (e, r) => console.log(e ?? r)); })' "$token"
  Server API (docs/server-api.md):
    curl -H "X-API-Key: $SWITCHBOARD_API_KEY" $url/api/presence/users
  Features and their events: plugins/*/README.md, scripts/README.md. Stop: Ctrl-C.

EOF
exec build/switchboard serve --config "$config" "$@"
