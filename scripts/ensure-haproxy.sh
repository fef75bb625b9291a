#!/usr/bin/env bash
# The rolling-restart harness (npm run rolling) puts Debian's HAProxy in front of two instances.
# Installs it when missing; set HAPROXY to use another build.
set -euo pipefail
haproxy="${HAPROXY:-/usr/sbin/haproxy}"
if [ -x "$haproxy" ]; then exit 0; fi
if [ -n "${HAPROXY:-}" ]; then
  echo "HAPROXY=$HAPROXY is not an executable file" >&2
  exit 1
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's haproxy for the rolling-restart harness..."
  apt-get update -qq
  # The harness starts its own HAProxy with its own config on loopback; the package's service is not used.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends haproxy >/dev/null
  exit 0
fi
echo "HAProxy is missing: install it (sudo apt-get install haproxy) or set HAPROXY." >&2
exit 1
