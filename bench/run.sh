#!/usr/bin/env bash
# One command per benchmark scenario. Starts the server under test (our jar, then the Node peer,
# alternating, a fresh process for every measurement), runs the load generator against it, stops
# it, and prints one JSON document with both sides and the ratios.
#
#   bench/run.sh fanout|fanout5k|fanout-burst|capacity|idle|idle-storm|storm|slow|soak [loadgen options...]
#   bench/run.sh cluster-fanout [loadgen options...]   (2 of our nodes vs 2 Socket.IO nodes, one Redis)
#   bench/run.sh cluster-churn [--duration 60 --churn-rate 100 ...]   (presence under connect/leave churn)
#   bench/run.sh cluster-failover [--node-ttl 15 ...]   (kill -9 of one node under load; TARGETS ours peer)
#   LINE_PEER_CMD=/path/to/line-server LINE_PEER_PORT=8888 bench/run.sh line-rate|line-burst [loadgen options...]
#
# Environment:
#   ROUNDS=2            measurements per side (ours, peer, ours, peer, ...)
#   TARGETS="ours peer" which servers to measure; cluster scenarios also take `single`: one of our
#                       nodes in local mode (no Redis) under the same load, alternating with the rest
#   JAVA_OPTS_BENCH     JVM options for our server (default below)
#   JAR                 our jar (default target/im-system-*.jar; built with ./mvnw package if missing)
#   SERVER_ARGS         extra Spring arguments for our server, e.g. "--chat.idle.sweep-interval=200ms"
#   JFR=1               record a JFR profile of our server into the results folder
#   JFR_SETTINGS        its settings (default profile; a .jfc file sampling every 1 ms gives more samples)
#   HISTO=1             save a live-object class histogram of our server (jcmd GC.class_histogram)
#                       into the results folder when the load generator is done, before the stop
#   RESULTS             results folder (default bench/results/<time>-<scenario>)
#   OUR_LINE_PORT=18888 our line gateway's port (chat.tcp.port), in every scenario
#   LINE_PEER_CMD       line-rate/line-burst: the command that starts the peer line server (any
#                       server of the original `nc` protocol; it must listen on LINE_PEER_PORT)
#   LINE_PEER_PORT=8888 the port that command listens on (refused if something already listens there)
#   REDIS_PORT=6379     cluster scenarios: the Redis on 127.0.0.1 both clusters share (each run uses
#                       a fresh key prefix / channel prefix on it); its INFO cpu and commandstats
#                       count for everyone using it, so the figures are cleanest on a Redis of its own:
#   OWN_REDIS=1         start that Redis (redis-server on 127.0.0.1:REDIS_PORT, default 16379 then,
#                       no persistence) for this call and stop it at the end
#   OUR_PORT2=18081, OUR_LINE_PORT2=18889, PEER_PORT2=19091: cluster scenarios, the second nodes
# Only loopback addresses are used. Every started server is killed on exit.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
scenario="${1:?usage: bench/run.sh fanout|fanout5k|fanout-burst|capacity|idle|idle-storm|storm|slow|soak|line-rate|line-burst|cluster-fanout|cluster-churn|cluster-failover [loadgen options]}"
shift
extra=("$@")

rounds="${ROUNDS:-2}"
targets="${TARGETS:-ours peer}"
our_port="${OUR_PORT:-18080}"
peer_port="${PEER_PORT:-19090}"
our_line_port="${OUR_LINE_PORT:-18888}"
our_port2="${OUR_PORT2:-18081}"
our_line_port2="${OUR_LINE_PORT2:-18889}"
peer_port2="${PEER_PORT2:-19091}"
own_redis="${OWN_REDIS:-0}"
if [[ "$own_redis" == 1 ]]; then
  redis_port="${REDIS_PORT:-16379}"
else
  redis_port="${REDIS_PORT:-6379}"
fi
redis_pid=""
line_peer_port="${LINE_PEER_PORT:-8888}"
results="${RESULTS:-$here/results/$(date +%Y%m%d-%H%M%S)-$scenario}"
mkdir -p "$results"

java_opts="${JAVA_OPTS_BENCH:--Xms256m -Xmx2g -XX:+UseG1GC}"
server_pid=""
# Cluster scenarios: every node started for the current measurement (server_pid is the one being
# waited for).
node_pids=()

stop_pid() {
  local pid="$1"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  fi
}

cleanup() {
  stop_pid "$server_pid"
  for pid in "${node_pids[@]}"; do
    stop_pid "$pid"
  done
  server_pid=""
  node_pids=()
}
stop_all() {
  cleanup
  stop_pid "$redis_pid"
}
trap stop_all EXIT INT TERM

if [[ ! -d "$here/node_modules/ws" ]]; then
  (cd "$here" && npm ci --silent >&2)
fi
if [[ "$scenario" == cluster-* && " $targets " == *" peer "* && ! -d "$here/peer-socketio/node_modules/socket.io" ]]; then
  (cd "$here/peer-socketio" && npm ci --silent >&2)
fi

jar="${JAR:-}"
if [[ -z "$jar" ]]; then
  jar="$(ls "$root"/target/im-system-*.jar 2>/dev/null | grep -v original | head -1 || true)"
  if [[ -z "$jar" ]]; then
    (cd "$root" && ./mvnw -q -o package -DskipTests >&2)
    jar="$(ls "$root"/target/im-system-*.jar | grep -v original | head -1)"
  fi
fi

ulimit -n 20000 2>/dev/null || true

# Settings per scenario: idle timeout (seconds) for both servers, our extra Spring arguments,
# loadgen defaults.
timeout_s=300
our_args=()
loadgen_defaults=()
case "$scenario" in
  fanout)
    loadgen_defaults=(--clients 1000 --senders 10 --messages 300 --window 20) ;;
  fanout-burst)
    # Each sender sends its 100 messages as one burst (window = messages): 1 million copies.
    loadgen_defaults=(--clients 1000 --senders 10 --messages 100 --window 100) ;;
  storm)
    # The default configuration: presence as a new user gets it.
    loadgen_defaults=(--clients 3000) ;;
  fanout5k)
    # Presence is coalesced per window (contract version 2): 5,000 joins no longer cost 12.5
    # million frames, so the defaults hold here too.
    loadgen_defaults=(--clients 5000 --senders 5 --messages 30 --rate 5 --concurrency 100) ;;
  capacity)
    # The peer sends no presence; ours sends it with the defaults (coalesced per window, counts only
    # above chat.presence.names-limit).
    loadgen_defaults=(--clients 19000 --concurrency 200) ;;
  idle)
    timeout_s=5
    our_args=(--chat.idle.timeout=5s --chat.idle.warning-before=1s --chat.idle.sweep-interval=1s)
    loadgen_defaults=(--silent 10000 --active 100 --sweep-ms 1000) ;;
  idle-storm)
    # Defaults but for the timeout and the sweep: 2,000 silent clients connecting at once, so the
    # kicks come due while their joins are still being broadcast.
    timeout_s=3
    our_args=(--chat.idle.timeout=3s --chat.idle.sweep-interval=200ms)
    loadgen_defaults=(--silent 2000 --active 0 --sweep-ms 200 --concurrency 2000) ;;
  line-rate)
    # 100,000 copies/s offered, as issue 14's figures were taken (100 lines/s in all: 10 per sender,
    # for 10 s); --rate-per-sender 100 offers 1 million copies/s.
    loadgen_defaults=(--clients 1000 --senders 10 --mode rate --rate-per-sender 10 --messages 100) ;;
  line-burst)
    loadgen_defaults=(--clients 1000 --senders 10 --mode burst --messages 100) ;;
  slow)
    # A storm the server sustains for readers (about 31,500 copies/s of 1 KB, 135 KB/s per client),
    # long enough (20 s) to fill a non-reading client's socket buffers and 512 KB queue well before
    # the heartbeat would find it dead.
    loadgen_defaults=(--clients 200 --slow 10 --senders 10 --messages 300 --rate 150 --text-size 900) ;;
  cluster-fanout)
    # As fanout, over two nodes: clients alternate between the nodes, so the 10 senders are 5 per node.
    loadgen_defaults=(--clients 1000 --senders 10 --messages 300 --window 20) ;;
  cluster-churn)
    # 200 stable clients (10 chatting, 5 messages/s each) watch 100 clients a second connect, stay
    # 1 s and leave, for 60 s: at most a few hundred online, below chat.presence.names-limit (1000),
    # so presence frames carry names and every stable client can keep its view of the room.
    loadgen_defaults=(--clients 200 --senders 10 --chat-rate 5 --churn-rate 100 --duration 60 --lifetime 1000) ;;
  cluster-failover)
    # 400 clients (200 per node, 10 chatting), then kill -9 of the second node. The node TTL the
    # load generator compares with comes from SERVER_ARGS when it sets one.
    ttl="$(sed -n 's/.*--chat\.cluster\.node-ttl=\([0-9]*\)s.*/\1/p' <<<"${SERVER_ARGS:-}")"
    loadgen_defaults=(--clients 400 --senders 10 --chat-rate 5 --node-ttl "${ttl:-15}") ;;
  soak)
    timeout_s=30
    our_args=(--chat.idle.timeout=30s --chat.idle.warning-before=5s)
    loadgen_defaults=(--clients 2000 --duration 600) ;;
  *) echo "unknown scenario $scenario" >&2; exit 2 ;;
esac
loadgen_scenario="$scenario"
case "$scenario" in
  fanout5k|fanout-burst|cluster-fanout) loadgen_scenario=fanout ;;
  cluster-churn) loadgen_scenario=churn ;;
  cluster-failover) loadgen_scenario=failover ;;
  idle-storm) loadgen_scenario=idle ;;
  line-rate|line-burst) loadgen_scenario=line ;;
esac
if [[ "$loadgen_scenario" == line && " $targets " == *" peer "* && -z "${LINE_PEER_CMD:-}" ]]; then
  echo "line scenarios need LINE_PEER_CMD (the peer line server's command), or TARGETS=ours" >&2
  exit 2
fi
if [[ "$scenario" == cluster-* && "$own_redis" == 1 ]]; then
  if ss -Hltn "sport = :$redis_port" 2>/dev/null | grep -q .; then
    echo "something already listens on port $redis_port: not starting a Redis there" >&2
    exit 2
  fi
  redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no >"$results/redis.log" 2>&1 &
  redis_pid=$!
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
if [[ "$scenario" == cluster-* ]] && ! redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1; then
  echo "cluster scenarios need Redis on 127.0.0.1:$redis_port (REDIS_PORT)" >&2
  exit 2
fi
if [[ "$scenario" == soak ]]; then
  targets="${TARGETS:-ours}"
  rounds="${ROUNDS:-1}"
fi

# A port that something else already listens on (another engineer's benchmark on this shared
# machine) would otherwise be measured as ours: refuse to start there.
port_free() {
  local port
  for port in "$@"; do
    if listening "$port"; then
      echo "something already listens on port $port: not starting a server there (set OUR_PORT, OUR_PORT2, PEER_PORT, ...)" >&2
      return 1
    fi
  done
}

wait_http() {
  local url="$1"
  for _ in $(seq 1 150); do
    if curl -fs -o /dev/null "$url" 2>/dev/null; then return 0; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then echo "server died" >&2; return 1; fi
    sleep 0.2
  done
  echo "server did not come up: $url" >&2
  return 1
}

listening() {
  ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

wait_listening() {
  for _ in $(seq 1 150); do
    if listening "$1"; then return 0; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then echo "server died" >&2; return 1; fi
    sleep 0.2
  done
  echo "nothing listens on port $1" >&2
  return 1
}

# What every one of our servers gets, whatever the scenario: the load generator's clients come
# from a few loopback addresses and connect by the thousand, so the per-address limits are lifted
# and the connection caps raised; the admin password lets it read the kick history.
our_common_args=(--server.tomcat.max-connections=30000 --server.tomcat.accept-count=4096
  --chat.limits.connections-per-address=100000
  --chat.limits.handshakes-per-second=100000 --chat.limits.handshake-burst=100000
  --chat.limits.messages-per-second=100000 --chat.limits.burst=100000
  --chat.admin.password=bench)

start_ours() {
  local jfr=()
  port_free "$our_port" "$our_line_port"
  if [[ "${JFR:-0}" == 1 ]]; then
    jfr=("-XX:StartFlightRecording=filename=$results/$1.jfr,settings=${JFR_SETTINGS:-profile},dumponexit=true")
  fi
  # shellcheck disable=SC2086
  java $java_opts "${jfr[@]}" -jar "$jar" \
    --server.address=127.0.0.1 --server.port="$our_port" \
    "${our_common_args[@]}" --chat.tcp.port="$our_line_port" \
    --logging.level.root=WARN \
    "${our_args[@]}" ${SERVER_ARGS:-} >"$results/$1.log" 2>&1 &
  server_pid=$!
  wait_http "http://127.0.0.1:$our_port/actuator/health"
  wait_listening "$our_line_port"
}

# Two of our nodes on one Redis, with a key prefix of their own (a fresh one per measurement).
start_ours_cluster() {
  local prefix="bench-$$-$1:"
  local ports=("$our_port" "$our_port2") line_ports=("$our_line_port" "$our_line_port2") ids=(bench-a bench-b)
  port_free "${ports[@]}" "${line_ports[@]}"
  for i in 0 1; do
    local jfr=()
    if [[ "${JFR:-0}" == 1 ]]; then
      jfr=("-XX:StartFlightRecording=filename=$results/$1-${ids[$i]}.jfr,settings=${JFR_SETTINGS:-profile},dumponexit=true")
    fi
    # shellcheck disable=SC2086
    java $java_opts "${jfr[@]}" -jar "$jar" \
      --server.address=127.0.0.1 --server.port="${ports[$i]}" \
      "${our_common_args[@]}" --chat.tcp.port="${line_ports[$i]}" \
      --chat.cluster.mode=redis --chat.cluster.node-id="${ids[$i]}" --chat.cluster.key-prefix="$prefix" \
      --spring.data.redis.host=127.0.0.1 --spring.data.redis.port="$redis_port" \
      --logging.level.root=WARN \
      "${our_args[@]}" ${SERVER_ARGS:-} >"$results/$1-${ids[$i]}.log" 2>&1 &
    node_pids+=($!)
  done
  for i in 0 1; do
    server_pid="${node_pids[$i]}"
    # Ready means this node's Redis link is up (its own probe came back through its subscription).
    wait_http "http://127.0.0.1:${ports[$i]}/actuator/health/readiness"
  done
  server_pid=""
}

# Two Socket.IO nodes on the same Redis, with a channel prefix of their own.
start_peer_cluster() {
  local key="bench-$$-$1"
  port_free "$peer_port" "$peer_port2"
  for port in "$peer_port" "$peer_port2"; do
    node --expose-gc "$here/peer-socketio/server.js" --port "$port" --redis "redis://127.0.0.1:$redis_port" --key "$key" \
      >"$results/$1-$port.log" 2>&1 &
    node_pids+=($!)
  done
  local i=0
  for port in "$peer_port" "$peer_port2"; do
    server_pid="${node_pids[$i]}"
    wait_http "http://127.0.0.1:$port/stats"
    i=$((i + 1))
  done
  server_pid=""
}

start_line_peer() {
  if listening "$line_peer_port"; then
    echo "something already listens on port $line_peer_port: not measuring it" >&2
    return 1
  fi
  # shellcheck disable=SC2086
  $LINE_PEER_CMD >"$results/$1.log" 2>&1 &
  server_pid=$!
  wait_listening "$line_peer_port"
}

start_peer() {
  port_free "$peer_port"
  node --expose-gc "$here/peer/server.js" --port "$peer_port" --timeout-ms $((timeout_s * 1000)) \
    >"$results/$1.log" 2>&1 &
  server_pid=$!
  wait_http "http://127.0.0.1:$peer_port/stats"
}

echo "uptime before: $(uptime)" >&2
for round in $(seq 1 "$rounds"); do
  for target in $targets; do
    label="$target-$round"
    pid_args=()
    if [[ "$scenario" == cluster-failover && "$target" == single ]]; then
      echo "cluster-failover: no single-node side (nothing survives the kill of the only node)" >&2
      continue
    elif [[ "$scenario" == cluster-* && "$target" == single ]]; then
      start_ours "$label"
      target_args=(--url "ws://127.0.0.1:$our_port/ws/chat")
    elif [[ "$scenario" == cluster-* && "$target" == ours ]]; then
      start_ours_cluster "$label"
      target_args=(--url "ws://127.0.0.1:$our_port/ws/chat,ws://127.0.0.1:$our_port2/ws/chat" --admin-url "http://127.0.0.1:$our_port")
    elif [[ "$scenario" == cluster-* ]]; then
      start_peer_cluster "$label"
      target_args=(--protocol socketio --url "ws://127.0.0.1:$peer_port/socket.io/,ws://127.0.0.1:$peer_port2/socket.io/")
    elif [[ "$loadgen_scenario" == line && "$target" == ours ]]; then
      start_ours "$label"
      target_args=(--host 127.0.0.1 --port "$our_line_port")
    elif [[ "$loadgen_scenario" == line ]]; then
      start_line_peer "$label"
      target_args=(--host 127.0.0.1 --port "$line_peer_port")
    elif [[ "$target" == ours ]]; then
      start_ours "$label"
      target_args=(--url "ws://127.0.0.1:$our_port/ws/chat" --admin-url "http://127.0.0.1:$our_port")
    else
      start_peer "$label"
      target_args=(--url "ws://127.0.0.1:$peer_port/ws/chat" --stats-url "http://127.0.0.1:$peer_port/stats")
    fi
    if [[ "$scenario" == cluster-* && "$target" == single ]]; then
      pid_args=(--pid "$server_pid" --node-pids "$server_pid")
    elif [[ "$scenario" == cluster-* ]]; then
      pid_args=(--node-pids "$(IFS=,; echo "${node_pids[*]}")" --redis-port "$redis_port")
    else
      pid_args=(--pid "$server_pid")
    fi
    echo "== $scenario $label (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    node "$here/loadgen.js" "$loadgen_scenario" "${pid_args[@]}" --label "$target" \
      "${target_args[@]}" "${loadgen_defaults[@]}" "${extra[@]}" >"$results/$label.json" || echo "loadgen failed for $label" >&2
    if [[ "${HISTO:-0}" == 1 && "$target" == ours ]]; then
      jcmd "$server_pid" GC.class_histogram >"$results/$label.histo.txt" 2>&1 || true
    fi
    cleanup
    sleep 2
  done
done
echo "uptime after: $(uptime)" >&2

node "$here/summarize.js" "$scenario" "$results"
