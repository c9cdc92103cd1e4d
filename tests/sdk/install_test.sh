#!/usr/bin/env bash
# The installed SDK is all a plugin author needs:
#   1. install this build into a temporary prefix (cmake --install);
#   2. build examples/hello-plugin out of tree against it (find_package(SwitchboardSDK)),
#      with the build's generator and compiler, and install the plugin into the prefix;
#   3. start <prefix>/bin/switchboard, which must find the plugin in
#      <prefix>/lib/switchboard/plugins by itself (no plugin_path);
#   4. exercise it with the real socket.io-client (tests/sdk/hello.spec.mjs).
#
#   tests/sdk/install_test.sh <build-dir>      (ctest: sdk.install)
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 <switchboard build folder>" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
repo_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
node=${SWITCHBOARD_NODE:-node}
greeting="Hi from the prefix"

if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  echo "install_test: $build_dir is not a configured build folder" >&2
  exit 2
fi
if [[ ! -d "$repo_dir/tests/e2e/node_modules/socket.io-client" ]]; then
  echo "install_test: socket.io-client is missing: run 'npm ci' in tests/e2e" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-install-test.XXXXXX")
server_pid=""
cleanup() {
  local status=$?
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 30); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ $status -ne 0 && -f "$work/server.log" ]]; then
    echo "---- server output ----" >&2
    cat "$work/server.log" >&2
  fi
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  echo "install_test: $*" >&2
  exit 1
}

cache_value() {
  sed -n "s/^$1:[A-Z]*=//p" "$build_dir/CMakeCache.txt" | head -n 1
}

prefix="$work/prefix"
echo "== installing $build_dir into $prefix"
cmake --install "$build_dir" --prefix "$prefix" >"$work/install.log" || { cat "$work/install.log" >&2; fail "cmake --install failed"; }
[[ -x "$prefix/bin/switchboard" ]] || fail "the install has no bin/switchboard"
[[ -f "$prefix/include/switchboard/sdk.h" && -f "$prefix/include/switchboard/sdk.hpp" ]] || fail "the install has no SDK headers"
config_file=$(find "$prefix" -name SwitchboardSDKConfig.cmake -print -quit)
[[ -n "$config_file" ]] || fail "the install has no SwitchboardSDKConfig.cmake"

# The build's own generator and compiler: a plugin is built the way the server was.
generator=$(cache_value CMAKE_GENERATOR)
compiler=$(cache_value CMAKE_CXX_COMPILER)
build_type=$(cache_value CMAKE_BUILD_TYPE)
configure=(-G "${generator:-Ninja}" -DCMAKE_BUILD_TYPE="${build_type:-RelWithDebInfo}"
           -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
           # Only the prefix may provide the SDK: no package registry, no system copy.
           -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)
[[ -n "$compiler" ]] && configure+=(-DCMAKE_CXX_COMPILER="$compiler")
if ccache=$(command -v ccache); then configure+=(-DCMAKE_CXX_COMPILER_LAUNCHER="$ccache"); fi

hello_build="$work/hello-build"
echo "== building examples/hello-plugin against the installed SDK"
cmake -S "$repo_dir/examples/hello-plugin" -B "$hello_build" "${configure[@]}" >"$work/configure.log" 2>&1 ||
  { cat "$work/configure.log" >&2; fail "configuring examples/hello-plugin failed"; }
sdk_dir=$(sed -n 's/^SwitchboardSDK_DIR:PATH=//p' "$hello_build/CMakeCache.txt")
[[ "$sdk_dir" == "$prefix"/* ]] || fail "find_package(SwitchboardSDK) found $sdk_dir, not the package in $prefix"
cmake --build "$hello_build" >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; fail "building examples/hello-plugin failed"; }
# It compiled against the installed headers, not the checkout's.
grep -q -- "$prefix/include" "$hello_build/compile_commands.json" || fail "hello.cpp was not compiled against $prefix/include"
if grep -q -- "$repo_dir/sdk/include" "$hello_build/compile_commands.json"; then
  fail "hello.cpp saw the checkout's sdk/include: the installed SDK is not self-sufficient"
fi
cmake --install "$hello_build" >"$work/hello-install.log" || { cat "$work/hello-install.log" >&2; fail "installing the plugin failed"; }
plugin="$prefix/lib/switchboard/plugins/switchboard-hello.so"
[[ -f "$plugin" ]] || fail "cmake --install of the plugin did not produce $plugin"

# A deployment with no plugin_path: the server must find the plugin in its prefix.
mkdir -p "$work/deploy"
cat >"$work/deploy/switchboard.yaml" <<YAML
server:
  host: 127.0.0.1
  shutdown_timeout: 1s
socketio:
  namespaces:
    - {name: /, anonymous: true}
database:
  url: "sqlite:$work/deploy/switchboard.db"
  migrate: false
log:
  level: info
plugins:
  - name: hello
    required: true
    config:
      greeting: "$greeting"
YAML

port=$("$node" -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
echo "== starting $prefix/bin/switchboard on port $port"
"$prefix/bin/switchboard" serve --config "$work/deploy/switchboard.yaml" --port "$port" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  kill -0 "$server_pid" 2>/dev/null || fail "the server exited before accepting connections"
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.1
done
(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || fail "the server does not accept connections on port $port after 10 s"
grep -q "loaded hello 1.0.0 from $plugin" "$work/server.log" ||
  fail "the server did not report loading hello from $plugin"

echo "== exercising hello with socket.io-client"
SWITCHBOARD_URL="http://127.0.0.1:$port" HELLO_GREETING="$greeting" \
  "$node" --test "$repo_dir/tests/sdk/hello.spec.mjs"
echo "== install test passed"
