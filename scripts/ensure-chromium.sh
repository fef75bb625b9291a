#!/usr/bin/env bash
# The e2e tests drive Debian's Chromium (Playwright cannot download its own browser here).
# Installs it when missing; set CHROMIUM_PATH to use another Chromium build.
set -euo pipefail
source "$(dirname "$0")/ensure-tool.sh"
ensure_tool CHROMIUM_PATH /usr/bin/chromium chromium Chromium "the end-to-end tests"
