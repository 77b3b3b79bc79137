#!/usr/bin/env bash
# Installs everything Chatdesk needs on a fresh Debian machine: system packages (Go + Google's
# Cloud Go sources for the Pub/Sub fake, Chromium for browser tests), a Python venv in .venv
# with requirements-dev.txt, and the Node dev tools from package-lock.json (without install
# scripts: nothing we use needs a native build, and re2's takes minutes). Safe to run twice.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v go >/dev/null 2>&1 || need_apt+=(golang-go)
[ -d /usr/share/gocode/src/cloud.google.com/go/pubsub/pstest ] || need_apt+=(golang-google-cloud-dev)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "==> apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

stamp=.venv/.requirements.sha
want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> python venv (.venv)"
  python3.11 -m venv .venv 2>/dev/null || python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
  echo "$want" > "$stamp"
fi

# checkov (Terraform checks) pins its own dependencies; its venv keeps them away from ours.
checkov_pin="checkov==3.3.30"
if [ ! -x .venv-checkov/bin/checkov ] || [ "$(cat .venv-checkov/.pin 2>/dev/null)" != "$checkov_pin" ]; then
  echo "==> checkov venv (.venv-checkov)"
  python3.11 -m venv .venv-checkov 2>/dev/null || python3 -m venv .venv-checkov
  .venv-checkov/bin/pip install -q --disable-pip-version-check "$checkov_pin"
  echo "$checkov_pin" > .venv-checkov/.pin
fi

lock_sha=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ "$(cat node_modules/.lock.sha 2>/dev/null)" != "$lock_sha" ]; then
  echo "==> npm ci"
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "$lock_sha" > node_modules/.lock.sha
fi

bash scripts/build-web.sh  # the Firebase JS SDK bundle the pages load from our own origin
