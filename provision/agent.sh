#!/usr/bin/env bash
# Installs and starts a Coracle agent that joins a server, on a Debian or Ubuntu machine: the lab's
# workers w1..wN, or any machine by hand. Idempotent: run it again with the same flags and nothing
# changes; with other flags, the service is rewritten and restarted.
#
#   sudo provision/agent.sh --server https://192.168.56.10:6443 --token-file /vagrant/lab/token \
#        --iface enp0s8 --node-name w1
#
# Flags (k3s names): --server URL (required), --token TOKEN | --token-file FILE (the server's
# DATA_DIR/server/token; required), --node-ip IP | --iface IFACE (the node IP is that interface's
# address), --node-name NAME (default: the host name), --node-label k=v, --node-taint k=v:Effect,
# --agent-port PORT. Paths and the service mode: see provision/lib.sh.
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

server="" token="" token_file="" node_ip="" iface="" node_name=""
extra=()
while (($#)); do
  case "$1" in
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
  esac
  [[ $# -ge 2 ]] || die "flag needs an argument: $1"
  case "$1" in
    --server) server="$2" ;;
    --token) token="$2" ;;
    --token-file) token_file="$2" ;;
    --node-ip) node_ip="$2" ;;
    --iface | --flannel-iface) iface="$2" ;;
    --node-name) node_name="$2" ;;
    --node-label | --node-taint | --agent-port) extra+=("$1" "$2") ;;
    *) die "unknown flag $1 (see $0 --help)" ;;
  esac
  shift 2
done

require_root
[[ "$server" == https://* ]] || die "--server https://SERVER:6443 is required"
if [[ -z "$token" && -n "$token_file" ]]; then
  # the server may still be provisioning (VMs brought up in parallel): wait for its token, bounded
  deadline=$((SECONDS + ${CORACLE_PROVISION_TIMEOUT_SECONDS:-600}))
  until [[ -s "$token_file" ]]; do
    ((SECONDS < deadline)) || die "the token file $token_file is missing or empty: provision the server first"
    ((SECONDS % 30)) || log "waiting for the server's token in $token_file"
    sleep 1
  done
  token="$(tr -d '[:space:]' <"$token_file")"
fi
[[ -n "$token" ]] || die "--token or --token-file is required (the server's DATA_DIR/server/token)"
[[ -n "$node_ip" || -z "$iface" ]] || node_ip="$(iface_ip "$iface")"
[[ -n "$node_name" ]] || node_name="$(hostname -s)"

log "agent $node_name: node IP ${node_ip:-(the agent picks one)}, joining $server"
install_node_packages

installed_changed=false
install_coracle node-agent && installed_changed=true

mkdir -p "$CORACLE_DATA_DIR/agent" "$CORACLE_CONFIG_DIR"
chmod 0700 "$CORACLE_CONFIG_DIR"
write_file "$CORACLE_CONFIG_DIR/agent.env" 0600 <<EOF && installed_changed=true
CORACLE_TOKEN=${token}
EOF

# shellcheck disable=SC2016 # ${CORACLE_TOKEN} is for the service manager to expand, from agent.env
args=("$CORACLE_PREFIX/coracle" agent --server "$server" --token '${CORACLE_TOKEN}' --data-dir "$CORACLE_DATA_DIR/agent"
  --node-name "$node_name")
[[ -n "$node_ip" ]] && args+=(--node-ip "$node_ip")
args+=(${extra[@]+"${extra[@]}"})
run_service coracle-agent "$CORACLE_CONFIG_DIR/agent.env" "$installed_changed" "${args[@]}"
log "agent $node_name started; it shows in 'kubectl get nodes' once it joined"
