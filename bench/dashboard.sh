#!/usr/bin/env bash
# The dashboard benchmark: 5,000 pods, the Pods page's answer time and a change's way to an open page, with the
# API's own list and watch as baselines. Appends a section to bench/RESULTS.md.
#   bench/dashboard.sh [--pods 5000] [--runs 30] [--changes 20] [--pages 100]
# Starts ./coracle server (embedded store) and ./coracle dashboard itself, on 127.0.0.1 ports 20500-20599.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MVN_FLAGS="${MVN_FLAGS:--o}"
# MVN_FLAGS is a list of flags: split on purpose
# shellcheck disable=SC2086
mvn -q -B $MVN_FLAGS -DskipTests -pl control-plane,dashboard -am package
# shellcheck disable=SC2086
mvn -q -B $MVN_FLAGS -Pbench -pl bench compile
exec java -cp bench/target/classes dev.coracle.bench.DashboardBench --repo "$ROOT" --command "bench/dashboard.sh${*:+ $*}" "$@"
