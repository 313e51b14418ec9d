#!/usr/bin/env bash
# The node agent's benchmarks (issue 4): pod startup latency (create → Running through a watch) for 100
# pods and the agent's resident memory with 50 running pods, against a real server and agent started as a
# user starts them (./coracle server --disable-agent, ./coracle agent), with baselines from the same run.
# Appends a section to bench/RESULTS.md.
#   bench/agent.sh                          100 pods, memory at 50
#   bench/agent.sh --pods 200 --memory-pods 50
#   CORACLE_AGENT_JAVA_OPTS='-Xmx64m' bench/agent.sh   other JVM options for the agent (the launcher's variable)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MVN_FLAGS="${MVN_FLAGS:--o}"
# MVN_FLAGS is a list of flags: split on purpose
# shellcheck disable=SC2086
mvn -q -B $MVN_FLAGS -DskipTests -pl control-plane,node-agent package
# shellcheck disable=SC2086
mvn -q -B $MVN_FLAGS -Pbench -pl bench compile
exec java -cp bench/target/classes dev.coracle.bench.AgentBench --repo "$ROOT" "$@"
