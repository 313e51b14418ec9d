#!/usr/bin/env bash
# Installs and starts a Coracle server (control plane and, like k3s, an agent beside it) on a Debian
# or Ubuntu machine: the lab's VM "m", or any machine by hand. Idempotent: run it again with the same
# flags and nothing changes; with other flags, the service is rewritten and restarted.
#
#   sudo provision/server.sh --iface enp0s8 --node-name m --node-taint k3s-controlplane=true:NoExecute \
#        --disable traefik --disable servicelb --kubeconfig-out /vagrant/lab/kubeconfig.yaml \
#        --token-out /vagrant/lab/token
#
# Flags (k3s names): --node-ip IP | --iface IFACE (the node IP is that interface's address),
# --node-name NAME, --bind-address IP (default: the node IP), --https-listen-port PORT (6443),
# --node-taint k=v:Effect, --node-label k=v, --disable NAME, --token SECRET (default: generated
# on this machine), --datastore-endpoint postgres://... | --datastore postgres (a local PostgreSQL,
# installed and given a generated password), --disable-agent; and for the lab:
# --kubeconfig-out FILE (an admin kubeconfig that names the node IP), --token-out FILE (the agents' join token).
# Paths and the service mode: see provision/lib.sh.
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

node_ip="" iface="" node_name="" bind="" port=6443 datastore="" endpoint="" token=""
kubeconfig_out="" token_out="" disable_agent=false
extra=()
while (($#)); do
  case "$1" in
    --disable-agent) disable_agent=true; shift; continue ;;
    -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
  esac
  [[ $# -ge 2 ]] || die "flag needs an argument: $1"
  case "$1" in
    --node-ip) node_ip="$2" ;;
    --iface | --flannel-iface) iface="$2" ;;
    --node-name) node_name="$2" ;;
    --bind-address) bind="$2" ;;
    --https-listen-port) port="$2" ;;
    --datastore) datastore="$2" ;;
    --datastore-endpoint) endpoint="$2" ;;
    --token) token="$2" ;;
    --kubeconfig-out) kubeconfig_out="$2" ;;
    --token-out) token_out="$2" ;;
    --node-taint | --node-label | --disable | --tls-san | --service-cidr | --cluster-cidr | --agent-port | --write-kubeconfig-mode)
      extra+=("$1" "$2") ;;
    *) die "unknown flag $1 (see $0 --help)" ;;
  esac
  shift 2
done

# A local PostgreSQL for the server: the role and database "coracle" with a password generated on
# this machine (kept in CONFIG_DIR, root only). Prints the datastore endpoint.
ensure_local_postgres() {
  local password_file="$CORACLE_CONFIG_DIR/postgres-password" deadline=$((SECONDS + 60))
  mkdir -p "$CORACLE_CONFIG_DIR"
  if [[ ! -s "$password_file" ]]; then
    (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$password_file")
  fi
  if uses_systemd; then
    systemctl enable --now postgresql >/dev/null 2>&1
  else
    pg_ctlcluster "$(pg_lsclusters -h | awk 'NR==1{print $1}')" main start 2>/dev/null || true
  fi
  until runuser -u postgres -- psql -tAc 'select 1' >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "PostgreSQL did not start within 60 s"
    sleep 1
  done
  runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -v password="$(cat "$password_file")" >&2 <<'SQL'
SELECT 'CREATE ROLE coracle LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'coracle')\gexec
ALTER ROLE coracle PASSWORD :'password';
SELECT 'CREATE DATABASE coracle OWNER coracle' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'coracle')\gexec
SQL
  echo "postgres://coracle:$(cat "$password_file")@127.0.0.1:5432/coracle"
}

require_root
[[ -n "$node_ip" || -z "$iface" ]] || node_ip="$(iface_ip "$iface")"
[[ -n "$node_name" ]] || node_name="$(hostname -s)"
[[ -n "$bind" ]] || bind="${node_ip:-0.0.0.0}"

log "server $node_name: node IP ${node_ip:-(the agent picks one)}, API on https://$bind:$port"
install_node_packages

if [[ "$datastore" == postgres && -z "$endpoint" ]]; then
  install_packages postgresql
  endpoint="$(ensure_local_postgres)"
elif [[ -n "$datastore" && "$datastore" != embedded && "$datastore" != postgres ]]; then
  die "--datastore is postgres or embedded, not $datastore"
fi

installed_changed=false
install_coracle control-plane node-agent && installed_changed=true

server_dir="$CORACLE_DATA_DIR/server"
mkdir -p "$server_dir" "$CORACLE_CONFIG_DIR"
chmod 0700 "$CORACLE_CONFIG_DIR"
# Secrets stay out of the unit file and the process list of the service manager's configuration:
# the environment file is readable by root only.
write_file "$CORACLE_CONFIG_DIR/server.env" 0600 <<EOF && installed_changed=true
CORACLE_DATASTORE_ENDPOINT=${endpoint}
CORACLE_TOKEN=${token}
EOF

args=("$CORACLE_PREFIX/coracle" server --data-dir "$server_dir" --bind-address "$bind" --https-listen-port "$port"
  --node-name "$node_name")
[[ -n "$node_ip" ]] && args+=(--node-ip "$node_ip")
[[ -n "$iface" ]] && args+=(--iface "$iface")
# shellcheck disable=SC2016 # ${NAME} is for the service manager to expand, from server.env
[[ -n "$endpoint" ]] && args+=(--datastore-endpoint '${CORACLE_DATASTORE_ENDPOINT}')
# shellcheck disable=SC2016
[[ -n "$token" ]] && args+=(--token '${CORACLE_TOKEN}')
$disable_agent && args+=(--disable-agent)
args+=(${extra[@]+"${extra[@]}"})
run_service coracle-server "$CORACLE_CONFIG_DIR/server.env" "$installed_changed" "${args[@]}"

# The API is up once the server wrote its kubeconfig and join token and answers on its port.
api_host="$bind"
[[ "$bind" == 0.0.0.0 ]] && api_host="${node_ip:-127.0.0.1}"
log "waiting for the API on https://$api_host:$port"
deadline=$((SECONDS + ${CORACLE_PROVISION_TIMEOUT_SECONDS:-300}))
until [[ -s "$server_dir/kubeconfig.yaml" && -s "$server_dir/token" ]] && (exec 3<>"/dev/tcp/$api_host/$port") 2>/dev/null; do
  ((SECONDS < deadline)) || die "the server did not come up within ${CORACLE_PROVISION_TIMEOUT_SECONDS:-300}s (journalctl -u coracle-server, or $CORACLE_DATA_DIR/run/coracle-server.log)"
  sleep 1
done

if [[ -n "$kubeconfig_out" ]]; then
  # the admin kubeconfig, naming the address the lab reaches the server on
  sed "s#^\(    server: \)https://[^ ]*#\1https://$api_host:$port#" "$server_dir/kubeconfig.yaml" |
    write_file "$kubeconfig_out" 0600 && log "wrote $kubeconfig_out (server https://$api_host:$port)"
fi
if [[ -n "$token_out" ]]; then
  write_file "$token_out" 0600 <"$server_dir/token" && log "wrote the join token to $token_out"
fi
log "server $node_name is up: KUBECONFIG=${kubeconfig_out:-$server_dir/kubeconfig.yaml} kubectl get nodes"
