#!/usr/bin/env bash
# Install the system tools some tests need (Java, Chromium, npm), from Debian's packages, only when missing.
set -euo pipefail
need=()
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v npm >/dev/null 2>&1 || need+=(npm)  # fetches axe-core for the accessibility tests
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "system-deps: please install ${need[*]} (Debian packages); related tests will be skipped" >&2
    exit 0
  fi
else SUDO=""; fi
echo "system-deps: installing ${need[*]}" >&2
$SUDO apt-get update -qq >/dev/null || true
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
  || echo "system-deps: could not install ${need[*]}; related tests will be skipped" >&2
