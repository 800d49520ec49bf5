#!/bin/sh
# node-problem-detector custom plugin: sets the node condition KataExposureCritical from
# `kata-audit scan --fail-on critical` (kata-audit-monitor.json runs it).
#
# NPD's plugin protocol reads the exit code (0 OK, 1 NonOK, anything else Unknown) and takes the first
# max_output_length bytes of stdout as the condition's message. kata-audit's exit codes already line up
# (0 no critical finding, 1 a critical finding, 2 usage error, 3 the scan could not run), so this wrapper changes
# no code's meaning: it replaces the scan's table (useless in 80 bytes) with one line, and says "unknown" as 2 for
# every code but 0 and 1, so that a future kata-audit exit code cannot read as a verdict.
#
# Environment: KATA_AUDIT_ARGS, extra scan flags (e.g. "--path.sysfs=/host/sys --path.rootfs=/host/root" when NPD
# runs in a container with the host mounted there). kata-audit must be on PATH and hold the agent's privileges
# (CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH; see SECURITY.md), or the scan reads too little and says so.
set -u

errors=$(mktemp) || { echo "kata-audit plugin: cannot create a temporary file"; exit 2; }
trap 'rm -f "$errors"' EXIT

# shellcheck disable=SC2086 # KATA_AUDIT_ARGS is a list of flags: split it on purpose
kata-audit scan --fail-on critical ${KATA_AUDIT_ARGS:-} >/dev/null 2>"$errors"
code=$?

case "$code" in
  0)
    echo "kata-audit: no critical finding on this node"
    exit 0
    ;;
  1)
    echo "kata-audit: critical Kata exposure; run kata-audit scan on the node"
    exit 1
    ;;
  *)
    echo "kata-audit scan failed (exit $code): $(head -n 1 "$errors" | cut -c 1-120)"
    exit 2
    ;;
esac
