#!/usr/bin/env bash
# Runs Coracle's foundation benchmarks and appends a dated section to bench/RESULTS.md.
#   bench/run.sh                 all four: creates, watch, list, memory
#   bench/run.sh creates list    some of them
#   bench/run.sh --watchers 100 --create-seconds 10 watch    (options: see bench/README.md)
# Builds the control plane and the bench jar, starts the machine's PostgreSQL (scripts/test-postgres.sh),
# then starts the server itself as a separate process, on a fresh database per benchmark.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=SCRIPTDIR/../scripts/test-postgres.sh
source scripts/test-postgres.sh
MVN_FLAGS="${MVN_FLAGS:--o}"
# MVN_FLAGS is a list of flags: split on purpose
# shellcheck disable=SC2086
mvn -q -B $MVN_FLAGS -DskipTests -pl control-plane package
# shellcheck disable=SC2086
mvn -q -B $MVN_FLAGS -Pbench -pl bench package
exec java -jar bench/target/bench-0.1.0-SNAPSHOT.jar --repo "$ROOT" --postgres "$CORACLE_TEST_POSTGRES" \
  --command "bench/run.sh${*:+ $*}" "$@"
