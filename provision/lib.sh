# shellcheck shell=bash
# What provision/server.sh and provision/agent.sh share: packages, installing Coracle from the built
# artifacts, writing configuration only when it changed, and running a service under systemd (or
# directly, where systemd is not PID 1: containers, network namespaces, the lab rehearsal).
#
# Every path can be moved by the environment, so that several nodes can be rehearsed on one machine:
#   CORACLE_PREFIX       where Coracle is installed            (default /opt/coracle)
#   CORACLE_DATA_DIR     the nodes' state                      (default /var/lib/coracle)
#   CORACLE_CONFIG_DIR   secrets and the service command lines (default /etc/coracle)
#   CORACLE_ARTIFACTS    a checkout with built jars, or a directory with lib/*.jar (default: this checkout)
#   CORACLE_SERVICE_MODE systemd | direct | auto (default auto: systemd when it is PID 1)
#   CORACLE_UNIT_DIR     where systemd units go                (default /etc/systemd/system)

CORACLE_PREFIX="${CORACLE_PREFIX:-/opt/coracle}"
CORACLE_DATA_DIR="${CORACLE_DATA_DIR:-/var/lib/coracle}"
CORACLE_CONFIG_DIR="${CORACLE_CONFIG_DIR:-/etc/coracle}"
CORACLE_ARTIFACTS="${CORACLE_ARTIFACTS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
CORACLE_SERVICE_MODE="${CORACLE_SERVICE_MODE:-auto}"
CORACLE_UNIT_DIR="${CORACLE_UNIT_DIR:-/etc/systemd/system}"

log() {
  echo "coracle-provision: $*" >&2
}

die() {
  echo "coracle-provision: error: $*" >&2
  exit 1
}

require_root() {
  [[ $EUID -eq 0 ]] || die "run as root (sudo $0 ...): it installs packages and services"
}

# Installs the distribution's packages that are not installed yet; nothing (not even apt-get update)
# when all are there, so a second run changes nothing and needs no network.
install_packages() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  ((${#missing[@]})) || return 0
  command -v apt-get >/dev/null 2>&1 || die "missing packages (${missing[*]}) and no apt-get: install them by hand"
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# What every node runs on: a JRE 17 for Coracle, runc and iptables for the container runtime and the
# Service rules of the agent, iproute2 to find the node IP of --iface.
install_node_packages() {
  install_packages openjdk-17-jre-headless runc iptables iproute2
}

# The jar of MODULE among the artifacts: an installed tree (lib/MODULE.jar) or a checkout's build output.
artifact() {
  local module="$1" jar
  if [[ -f "$CORACLE_ARTIFACTS/lib/$module.jar" ]]; then
    echo "$CORACLE_ARTIFACTS/lib/$module.jar"
    return
  fi
  jar="$(find "$CORACLE_ARTIFACTS/$module/target" -maxdepth 1 -name "$module-*.jar" ! -name '*original*' 2>/dev/null | head -n1)"
  [[ -n "$jar" ]] || die "no built $module jar under $CORACLE_ARTIFACTS: run './coracle build' in the checkout first"
  echo "$jar"
}

# Copies SOURCE to TARGET with MODE unless TARGET already has the same content; says whether it changed.
install_file() {
  local source="$1" target="$2" mode="$3"
  if [[ -f "$target" ]] && cmp -s "$source" "$target"; then
    return 1
  fi
  mkdir -p "$(dirname "$target")"
  install -m "$mode" "$source" "$target.tmp"
  mv -f "$target.tmp" "$target"
  return 0
}

# Writes CONTENT (stdin) to TARGET with MODE unless it already holds exactly that; says whether it changed.
write_file() {
  local target="$1" mode="$2" tmp
  tmp="$(mktemp)"
  cat >"$tmp"
  if install_file "$tmp" "$target" "$mode"; then
    rm -f "$tmp"
    return 0
  fi
  rm -f "$tmp"
  return 1
}

# Installs the launcher and the given modules' jars into CORACLE_PREFIX; says whether anything changed.
install_coracle() {
  local changed=1 module
  install_file "$CORACLE_ARTIFACTS/coracle" "$CORACLE_PREFIX/coracle" 0755 && changed=0
  for module in "$@"; do
    install_file "$(artifact "$module")" "$CORACLE_PREFIX/lib/$module.jar" 0644 && changed=0
  done
  return $changed
}

# The first IPv4 address of an interface (k3s: --flannel-iface names the node's lab network).
iface_ip() {
  local ip
  ip="$(ip -4 -o addr show dev "$1" 2>/dev/null | awk '{print $4}' | cut -d/ -f1 | head -n1)"
  [[ -n "$ip" ]] || die "interface $1 has no IPv4 address (ip -4 addr show dev $1)"
  echo "$ip"
}

uses_systemd() {
  case "$CORACLE_SERVICE_MODE" in
    systemd) return 0 ;;
    direct) return 1 ;;
    auto) [[ "$(cat /proc/1/comm 2>/dev/null)" == systemd ]] ;;
    *) die "CORACLE_SERVICE_MODE must be systemd, direct or auto, not $CORACLE_SERVICE_MODE" ;;
  esac
}

# Runs SERVICE as "$@" and keeps it running: a systemd unit that restarts on failure and logs to the
# journal, or, without systemd, a detached process with a pid file and a log file in the data dir.
# Secrets go in ENV_FILE (mode 0600), referred to as ${NAME} in the command. Nothing is restarted when
# neither the command, the secrets nor the installed files changed.
run_service() {
  local service="$1" env_file="$2" installed_changed="$3"
  shift 3
  local changed=1
  if uses_systemd; then
    write_file "$CORACLE_UNIT_DIR/$service.service" 0644 <<EOF && changed=0
# Written by Coracle's provision/ scripts; run them again rather than editing this file.
[Unit]
Description=Coracle ${service#coracle-}
Documentation=https://github.com/coracle-dev/coracle
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
EnvironmentFile=$env_file
ExecStart=$(exec_line "$@")
Restart=on-failure
RestartSec=5s
# Java's exit status after SIGTERM
SuccessExitStatus=143
TimeoutStopSec=60s
LimitNOFILE=1048576

[Install]
WantedBy=multi-user.target
EOF
    $installed_changed && changed=0
    if [[ $changed -eq 0 ]]; then
      systemctl daemon-reload
      systemctl enable "$service" >/dev/null 2>&1
      log "(re)starting $service"
      systemctl restart "$service"
    elif ! systemctl is-active --quiet "$service"; then
      log "starting $service"
      systemctl enable --now "$service" >/dev/null 2>&1
    else
      log "$service is running and unchanged"
    fi
    return
  fi

  # direct mode: the command line is stored so that a second run can tell whether it changed
  local run_dir="$CORACLE_DATA_DIR/run" pid=""
  mkdir -p "$run_dir"
  printf '%s\n' "$@" | write_file "$CORACLE_CONFIG_DIR/$service.cmdline" 0600 && changed=0
  $installed_changed && changed=0
  [[ -f "$run_dir/$service.pid" ]] && pid="$(cat "$run_dir/$service.pid")"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    if [[ $changed -ne 0 ]]; then
      log "$service is running (pid $pid) and unchanged"
      return
    fi
    log "restarting $service (pid $pid): its configuration changed"
    stop_direct "$service"
  fi
  log "starting $service without systemd (log: $run_dir/$service.log)"
  (
    set -a
    # shellcheck source=/dev/null
    source "$env_file"
    set +a
    # the unit's ${NAME} references, resolved from the environment file as systemd would
    local args=() arg
    for arg in "$@"; do
      args+=("$(expand_env "$arg")")
    done
    setsid "${args[@]}" </dev/null >>"$run_dir/$service.log" 2>&1 &
    echo $! >"$run_dir/$service.pid"
  )
}

# The command as an ExecStart= line: every argument in double quotes (systemd still expands ${NAME}
# inside them, as one argument).
exec_line() {
  local out=() arg
  for arg in "$@"; do
    arg="${arg//\\/\\\\}"
    arg="${arg//%/%%}"
    out+=("\"${arg//\"/\\\"}\"")
  done
  echo "${out[*]}"
}

# ${NAME} in one argument replaced by the variable's value (as systemd does in ExecStart).
expand_env() {
  local arg="$1" name
  while [[ "$arg" =~ \$\{([A-Za-z_][A-Za-z0-9_]*)\} ]]; do
    name="${BASH_REMATCH[1]}"
    arg="${arg//\$\{$name\}/${!name-}}"
  done
  echo "$arg"
}

# Stops a directly started service: SIGTERM, and SIGKILL after 30 s.
stop_direct() {
  local service="$1" pid_file="$CORACLE_DATA_DIR/run/$1.pid" pid deadline
  [[ -f "$pid_file" ]] || return 0
  pid="$(cat "$pid_file")"
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.5
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pid_file"
}
