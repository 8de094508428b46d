#!/usr/bin/env bash
# make bench: every benchmark, each printing its figures and its ratio to a baseline
# measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
# Run every benchmark even when one misses its target; fail at the end if any did.
status=0
.venv/bin/python bench/policy_page.py "$@" || status=1
.venv/bin/python bench/campaign.py || status=1
.venv/bin/python bench/consent_post.py || status=1
.venv/bin/python bench/consent_dashboard.py || status=1
exit $status
