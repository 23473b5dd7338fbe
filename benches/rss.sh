#!/bin/sh
# Memory of the daemon's steady work at 10,000 stored drafts (issue 9): builds the release
# profile, builds a 10,000-draft store, then runs 50 polls in a fresh process and prints
# VmRSS after polls 10, 20, ... 50 and the peak VmHWM. See benches/rss.rs and
# docs/benchmarks.md. Goal: flat between poll 10 and 50, at most 30 MiB.
set -eu
cd "$(dirname "$0")/.."
exec cargo bench --bench rss "$@"
