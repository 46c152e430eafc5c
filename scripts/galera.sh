#!/usr/bin/env bash
# A local 3-node MariaDB Galera cluster, for tests and for operators who want to try one.
#   scripts/galera.sh start [dir]   nodes on 127.0.0.1:4401, 4402, 4403 (root, no password)
#   scripts/galera.sh stop  [dir]
#   scripts/galera.sh status [dir]
# Each node has its own datadir, port, gcomm/IST/SST addresses; state transfer by rsync
# (the nodes run as user mysql: rsync SST fails as root). Needs mariadbd and galera-4
# (apt-get install galera-4 rsync). Fresh nodes start in about 15 s; `start` returns once
# all three are Synced in the Primary component. GALERA_RETRY_AUTOCOMMIT (default 0).
set -euo pipefail

cmd="${1:-}"
dir="${2:-${GALERA_DIR:-/tmp/lrs-galera}}"
provider="${GALERA_PROVIDER:-/usr/lib/galera/libgalera_smm.so}"
ports=(4401 4402 4403)
gcomm=(4567 4577 4587)
ist=(4568 4578 4588)
sst=(4444 4454 4464)

cluster_address() {
  local a=""
  for g in "${gcomm[@]}"; do a="${a:+$a,}127.0.0.1:$g"; done
  echo "gcomm://$a"
}

write_config() {
  local i=$1 d="$dir/node$1"
  mkdir -p "$d/data" "$d/run"
  cat >"$d/my.cnf" <<CNF
[mariadbd]
datadir=$d/data
socket=$d/run/mysqld.sock
pid-file=$d/run/mysqld.pid
port=${ports[$i]}
bind-address=127.0.0.1
log-error=$d/error.log
character-set-server=utf8mb4
collation-server=utf8mb4_unicode_ci
innodb_buffer_pool_size=32M
innodb_log_file_size=16M
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
wsrep_on=ON
wsrep_provider=$provider
wsrep_cluster_name=lrs_galera
wsrep_cluster_address=$(cluster_address)
wsrep_node_name=node$i
wsrep_node_address=127.0.0.1:${gcomm[$i]}
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:${gcomm[$i]};ist.recv_addr=127.0.0.1:${ist[$i]};gcache.size=32M"
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:${sst[$i]}
# 0: a certification conflict of an autocommit statement reaches the application as 1213
# instead of being retried by the node (the harshest case; the tests run with it).
wsrep_retry_autocommit=${GALERA_RETRY_AUTOCOMMIT:-0}
# 1: a read waits for the writes this node has received (causal reads), as the README
# asks of a deployment whose instances read through one node what they wrote through
# another; the two-instance e2e does exactly that (GALERA_SYNC_WAIT=0 to see it fail).
wsrep_sync_wait=${GALERA_SYNC_WAIT:-1}
CNF
  chown -R mysql:mysql "$d"
}

wait_up() {
  local port=$1
  for _ in $(seq 1 120); do
    if mariadb --protocol=tcp -h127.0.0.1 -P"$port" -uroot -e 'SELECT 1' >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.5
  done
  echo "node on port $port did not start; see $dir/node*/error.log" >&2
  return 1
}

start_node() {
  local i=$1 extra=${2:-}
  # shellcheck disable=SC2086
  runuser -u mysql -- /usr/sbin/mariadbd --defaults-file="$dir/node$i/my.cnf" $extra \
    >/dev/null 2>&1 &
}

# Every node in the Primary component and Synced, the cluster of three formed.
wait_synced() {
  local port state status size
  for _ in $(seq 1 120); do
    local ok=1
    for port in "${ports[@]}"; do
      read -r state status size < <(mariadb --protocol=tcp -h127.0.0.1 -P"$port" -uroot -N -e \
        "SELECT (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_LOCAL_STATE_COMMENT'),
                (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_CLUSTER_STATUS'),
                (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_CLUSTER_SIZE')" \
        2>/dev/null || echo "down down 0")
      [ "$state" = Synced ] && [ "$status" = Primary ] && [ "$size" = 3 ] || ok=0
    done
    [ "$ok" = 1 ] && return 0
    sleep 0.5
  done
  echo "the cluster did not reach 3 synced nodes in the Primary component; see $dir/node*/error.log" >&2
  return 1
}

case "$cmd" in
start)
  [ -f "$provider" ] || { echo "no Galera provider at $provider (apt-get install galera-4)" >&2; exit 1; }
  for i in 0 1 2; do
    write_config "$i"
    if [ ! -d "$dir/node$i/data/mysql" ]; then
      mariadb-install-db --defaults-file="$dir/node$i/my.cnf" --user=mysql \
        --auth-root-authentication-method=normal >/dev/null 2>&1
    fi
  done
  start_node 0 --wsrep-new-cluster
  wait_up "${ports[0]}"
  mariadb --protocol=tcp -h127.0.0.1 -P"${ports[0]}" -uroot -e \
    "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION" \
    >/dev/null 2>&1 || true
  for i in 1 2; do start_node "$i"; wait_up "${ports[$i]}"; done
  wait_synced
  echo "Galera cluster up: 3 synced nodes, mysql://root@127.0.0.1:4401, :4402, :4403 (dir $dir)"
  ;;
stop)
  for i in 2 1 0; do
    pidf="$dir/node$i/run/mysqld.pid"
    if [ -f "$pidf" ]; then
      pid=$(cat "$pidf")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    fi
  done
  echo "Galera cluster stopped (data kept in $dir; rm -rf it for fresh nodes)"
  ;;
status)
  for i in 0 1 2; do
    printf 'node%s :%s ' "$i" "${ports[$i]}"
    mariadb --protocol=tcp -h127.0.0.1 -P"${ports[$i]}" -uroot -N -e \
      "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | awk '{print $2}' || echo down
  done
  ;;
*)
  sed -n '2,10p' "$0"
  exit 1
  ;;
esac
