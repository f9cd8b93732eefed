#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium for the report test (tests/integration/report.rs)
# when /usr/bin/chromium is missing: `apt-get install -y chromium`, through sudo only when not
# root (CI runs `make test` on a fresh machine as root).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
else
  as_root=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
/usr/bin/chromium --version
