#!/usr/bin/env bash
# The rolling-restart harness (npm run rolling) puts Debian's HAProxy in front of two instances.
# Installs it when missing; set HAPROXY to use another build.
set -euo pipefail
source "$(dirname "$0")/ensure-tool.sh"
# The harness starts its own HAProxy with its own config on loopback; the package's service is not used.
ensure_tool HAPROXY /usr/sbin/haproxy haproxy HAProxy "the rolling-restart harness" --no-install-recommends
