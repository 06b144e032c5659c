# The local stack: every server the platform uses, on 127.0.0.1, installed and started by this
# script, stopped by recorded PID. Sourced by ./saam.

ALL_COMPONENTS=(rabbitmq redis postgres mongo kafka elasticsearch keycloak flink user-service feature-views prometheus)

ES_VERSION="8.19.4"
KEYCLOAK_VERSION="26.5.6"
PG_BIN_GLOB="/usr/lib/postgresql/*/bin"

# Local development credentials (loopback only). Production takes them from its secret store.
SAAM_PG_PASSWORD="${SAAM_PG_PASSWORD:-saam}"
# Keycloak's master administrator: user admin, a random password made on first use
# (.saam/secrets/keycloak-admin), exported for provisioning and the tests; see the end of this file.
export SAAM_KEYCLOAK_ADMIN="${SAAM_KEYCLOAK_ADMIN:-admin}"

component_port() {
  case "$1" in
    rabbitmq) echo "5672 1883 8883 15672" ;;
    redis) echo 6379 ;;
    postgres) echo 5432 ;;
    mongo) echo 27017 ;;
    kafka) echo 9092 ;;
    elasticsearch) echo 9200 ;;
    keycloak) echo 8180 ;;
    flink) echo 8081 ;;
    user-service) echo 8090 ;;
    feature-views) echo 8091 ;;
    prometheus) echo 9090 ;;
  esac
}

# The processes of a component, as named in .saam/run.
component_processes() {
  case "$1" in
    flink) echo "flink-jobmanager flink-taskmanager" ;;
    *) echo "$1" ;;
  esac
}

check_component_name() {
  local c
  for c in "${ALL_COMPONENTS[@]}"; do [ "$c" = "$1" ] && return 0; done
  die "unknown component '$1'; components: ${ALL_COMPONENTS[*]}"
}

component_partly_running() {
  local process
  for process in $(component_processes "$1"); do
    recorded_pid "$process" >/dev/null && return 0
  done
  return 1
}

component_running() {
  local process
  for process in $(component_processes "$1"); do
    recorded_pid "$process" >/dev/null || return 1
  done
}

# ---------------------------------------------------------------------------------------------
# RabbitMQ with the MQTT and management plugins. Runs as the invoking user straight from the
# Debian package's server scripts, with node name, config, data, logs and Erlang cookie under .saam.

rabbit_env() {
  local home="$SAAM_DATA/rabbitmq"
  mkdir -p "$home/mnesia" "$home/home" "$SAAM_LOGS/rabbitmq"
  export HOME="$home/home"
  export RABBITMQ_NODENAME="rabbit@localhost"
  export RABBITMQ_MNESIA_BASE="$home/mnesia"
  export RABBITMQ_LOG_BASE="$SAAM_LOGS/rabbitmq"
  export RABBITMQ_CONFIG_FILE="$home/rabbitmq.conf"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$home/enabled_plugins"
  export RABBITMQ_PID_FILE="$SAAM_RUN/rabbitmq.beam.pid"
  export RABBITMQ_DIST_PORT=25672
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

rabbit_bin() {
  # The Debian wrappers in /usr/sbin switch to the rabbitmq user; the scripts behind them do not.
  local dir
  for dir in /usr/lib/rabbitmq/bin /usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin; do
    [ -x "$dir/$1" ] && { printf '%s/%s\n' "$dir" "$1"; return 0; }
  done
  command -v "$1"
}

install_rabbitmq() {
  ensure_packages rabbitmq-server openssl
  ensure_local_tls
}

# A certificate authority of this checkout and a server certificate for 127.0.0.1/localhost,
# for the MQTT TLS listener. Clients trust .saam/tls/ca.pem.
ensure_local_tls() {
  local dir="$SAAM_STATE/tls"
  [ -s "$dir/server.pem" ] && [ -s "$dir/ca.pem" ] && return 0
  mkdir -p "$dir"
  (
    cd "$dir"
    umask 077
    openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=SAAM local CA" \
      -keyout ca.key -out ca.pem
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 \
      -extfile server.ext -out server.pem
    chmod 644 ca.pem server.pem
  ) >>"$SAAM_LOGS/tls.log" 2>&1 || die "could not create the local TLS certificates (log: $SAAM_LOGS/tls.log)"
}

start_rabbitmq() {
  (
    rabbit_env
    umask 077
    {
      # The production settings that matter for security, as in ingestion/broker/rabbitmq.conf:
      # no anonymous MQTT, no 'guest', a message size limit. Locally the listeners are on
      # loopback and plain MQTT (1883) stays open beside TLS (8883) for the tools.
      sed -n '/^# --- security ---$/,/^# --- end security ---$/p' \
        "$SAAM_ROOT/ingestion/broker/rabbitmq.conf"
      printf '%s\n' \
        "default_pass = $SAAM_RABBITMQ_PASSWORD" \
        "listeners.tcp.default = 127.0.0.1:5672" \
        "mqtt.listeners.tcp.default = 127.0.0.1:1883" \
        "mqtt.listeners.ssl.default = 127.0.0.1:8883" \
        "ssl_options.cacertfile = $SAAM_STATE/tls/ca.pem" \
        "ssl_options.certfile = $SAAM_STATE/tls/server.pem" \
        "ssl_options.keyfile = $SAAM_STATE/tls/server.key" \
        "ssl_options.verify = verify_none" \
        "ssl_options.fail_if_no_peer_cert = false" \
        "management.tcp.ip = 127.0.0.1" \
        "management.tcp.port = 15672" \
        "prometheus.tcp.ip = 127.0.0.1" \
        "prometheus.tcp.port = 15692" \
        "prometheus.return_per_object_metrics = true" \
        "mqtt.exchange = amq.topic" \
        "log.file.level = info"
    } >"$RABBITMQ_CONFIG_FILE"
    "$(rabbit_bin rabbitmq-plugins)" enable --offline rabbitmq_mqtt rabbitmq_management rabbitmq_prometheus \
      >>"$SAAM_LOGS/rabbitmq.log" 2>&1
    spawn rabbitmq "$(rabbit_bin rabbitmq-server)"
  )
}

ready_rabbitmq() {
  port_open 5672 && port_open 1883 && port_open 8883 && port_open 15672
}

# The administrator account exists from the first boot (default_user in the config). A broker
# whose data predates it (made with 'guest') gets it through rabbitmqctl, which the local node
# trusts by its Erlang cookie.
ensure_rabbitmq_admin() {
  rabbitmq_admin_works && return 0
  (
    rabbit_env
    local ctl
    ctl="$(rabbit_bin rabbitmqctl)"
    "$ctl" -n rabbit@localhost add_user "$SAAM_RABBITMQ_USER" "$SAAM_RABBITMQ_PASSWORD" ||
      "$ctl" -n rabbit@localhost change_password "$SAAM_RABBITMQ_USER" "$SAAM_RABBITMQ_PASSWORD"
    "$ctl" -n rabbit@localhost set_user_tags "$SAAM_RABBITMQ_USER" administrator
    "$ctl" -n rabbit@localhost set_permissions -p / "$SAAM_RABBITMQ_USER" '.*' '.*' '.*'
  ) >>"$SAAM_LOGS/rabbitmq.log" 2>&1 || die "rabbitmq: could not create the administrator account"
  local waited=0
  until rabbitmq_admin_works; do
    [ $waited -ge 20 ] && die "rabbitmq: the administrator account does not work (log: $SAAM_LOGS/rabbitmq.log)"
    sleep 1
    waited=$((waited + 1))
  done
}

rabbitmq_admin_works() {
  curl -fsS -u "$SAAM_RABBITMQ_USER:$SAAM_RABBITMQ_PASSWORD" \
    http://127.0.0.1:15672/api/whoami >/dev/null 2>&1
}

after_start_rabbitmq() {
  local waited=0
  # The management API answers (200 or 401) a little after its port opens.
  while [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:15672/api/overview)" = 000 ]; do
    [ $waited -ge 30 ] && break
    sleep 1
    waited=$((waited + 1))
  done
  ensure_rabbitmq_admin
  java -jar "$(jar_of ingestion)" topology >>"$SAAM_LOGS/rabbitmq.log" 2>&1 ||
    { tail -5 "$SAAM_LOGS/rabbitmq.log" >&2; die "rabbitmq: could not declare the readings topology"; }
  # A test run restarts the broker (SimulatorBrokerRestartITCase): keep its lifted binding lifted.
  if [ -f "$SAAM_RUN/readings-binding.lifted" ]; then readings_binding lift; fi
}

stop_rabbitmq() {
  (
    rabbit_env
    if recorded_pid rabbitmq >/dev/null; then
      "$(rabbit_bin rabbitmqctl)" -n rabbit@localhost stop >>"$SAAM_LOGS/rabbitmq.log" 2>&1 || true
    fi
    stop_pid rabbitmq 30
    rm -f "$RABBITMQ_PID_FILE"
    # The Erlang port mapper started with the node; stop it when no node is left on it.
    if command -v epmd >/dev/null && ! epmd -names 2>/dev/null | grep -q '^name '; then
      epmd -kill >/dev/null 2>&1 || true
    fi
  )
}

# ---------------------------------------------------------------------------------------------
install_redis() { ensure_packages redis-server redis-tools; }

start_redis() {
  mkdir -p "$SAAM_DATA/redis"
  spawn redis redis-server --port 6379 --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$SAAM_DATA/redis" --daemonize no
}

ready_redis() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]; }
stop_redis() { stop_pid redis 15; }

# ---------------------------------------------------------------------------------------------
# PostgreSQL: a cluster of our own (initdb), run by the service user, TCP on 127.0.0.1 only.

pg_bin() {
  local dir
  for dir in $PG_BIN_GLOB; do
    [ -x "$dir/$1" ] && { printf '%s/%s\n' "$dir" "$1"; return 0; }
  done
  return 1
}

pg_data() { printf '%s/postgres\n' "$(service_home)"; }

install_postgres() {
  pg_bin initdb >/dev/null || ensure_packages postgresql
  ensure_service_user
}

start_postgres() {
  local data pwfile
  data=$(pg_data)
  if [ ! -f "$data/PG_VERSION" ]; then
    pwfile=$(mktemp)
    printf '%s\n' "$SAAM_PG_PASSWORD" >"$pwfile"
    chmod 644 "$pwfile"
    as_service_user "$(pg_bin initdb)" -D "$data" -U postgres --auth=scram-sha-256 \
      --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 >>"$SAAM_LOGS/postgres.log" 2>&1 ||
      { rm -f "$pwfile"; tail -20 "$SAAM_LOGS/postgres.log" >&2; die "postgres: initdb failed"; }
    rm -f "$pwfile"
  fi
  # pg_ctl forks the server and returns; the server logs to a file the service user can write.
  as_service_user "$(pg_bin pg_ctl)" -D "$data" -l "$data/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=5432 -c unix_socket_directories=''" start \
    >>"$SAAM_LOGS/postgres.log" 2>&1 ||
    { tail -20 "$data/server.log" >&2; die "postgres: pg_ctl start failed"; }
  head -1 "$data/postmaster.pid" >"$SAAM_RUN/postgres.pid"
  ln -sfn "$data/server.log" "$SAAM_LOGS/postgres-server.log"
}

ready_postgres() { pg_isready -h 127.0.0.1 -p 5432 -q; }

after_start_postgres() {
  local psql=(env PGPASSWORD="$SAAM_PG_PASSWORD" psql -h 127.0.0.1 -p 5432 -U postgres -v ON_ERROR_STOP=1 -qtA)
  if [ -z "$("${psql[@]}" -c "select 1 from pg_roles where rolname='saam'")" ]; then
    "${psql[@]}" -c "create role saam login password '$SAAM_PG_PASSWORD'" >/dev/null
  fi
  if [ -z "$("${psql[@]}" -c "select 1 from pg_database where datname='saam_users'")" ]; then
    "${psql[@]}" -c "create database saam_users owner saam" >/dev/null
  fi
}

stop_postgres() {
  local data
  if recorded_pid postgres >/dev/null; then
    data=$(pg_data)
    as_service_user "$(pg_bin pg_ctl)" -D "$data" -m fast -w -t 30 stop >>"$SAAM_LOGS/postgres.log" 2>&1 || true
  fi
  stop_pid postgres 15
}

# ---------------------------------------------------------------------------------------------
# MongoDB-wire server: mongo-java-server (memory backend), the stand-in named in DEV-STACK.md.

install_mongo() { ensure_built local-stack; }

start_mongo() {
  spawn mongo java -Xms256m -Xmx4g -jar "$(running_jar_of local-stack)" mongo-server --host 127.0.0.1 --port 27017
}

ready_mongo() { port_open 27017; }
stop_mongo() { stop_pid mongo 15; }

# ---------------------------------------------------------------------------------------------
# Kafka: single-node KRaft broker and controller from the Maven Central jars.

install_kafka() { classpath_of kafka >/dev/null; }

start_kafka() {
  local dir="$SAAM_DATA/kafka" cp
  cp=$(classpath_of kafka)
  mkdir -p "$dir/logs"
  cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9093
listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093
advertised.listeners=PLAINTEXT://127.0.0.1:9092
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/logs
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF
  cat >"$dir/log4j2.properties" <<EOF
rootLogger.level = INFO
rootLogger.appenderRef.console.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
EOF
  if [ ! -f "$dir/logs/meta.properties" ]; then
    local cluster_id
    cluster_id=$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>>"$SAAM_LOGS/kafka.log" | tail -1)
    java -Dlog4j2.configurationFile="$dir/log4j2.properties" -cp "$cp" kafka.tools.StorageTool format \
      -t "$cluster_id" -c "$dir/server.properties" >>"$SAAM_LOGS/kafka.log" 2>&1 ||
      { tail -20 "$SAAM_LOGS/kafka.log" >&2; die "kafka: formatting the storage failed"; }
  fi
  spawn kafka java -Xms256m -Xmx768m -Dlog4j2.configurationFile="$dir/log4j2.properties" \
    -cp "$cp" kafka.Kafka "$dir/server.properties"
}

after_start_kafka() {
  ensure_built local-stack
  java -jar "$(jar_of local-stack)" kafka-topic --name saam.coaching-events --partitions 3 \
    --retention-days 365 >>"$SAAM_LOGS/kafka.log" 2>&1 ||
    { tail -5 "$SAAM_LOGS/kafka.log" >&2; die "kafka: creating topic saam.coaching-events failed"; }
}
ready_kafka() { port_open 9092 && grep -q "Kafka Server started" "$SAAM_LOGS/kafka.log"; }
stop_kafka() { stop_pid kafka 30; }

# ---------------------------------------------------------------------------------------------
# Elasticsearch: the minimal integ-test distribution from Maven Central, single node, no
# security on loopback, run by the service user with a JDK >= 21.

es_home() { printf '%s/elasticsearch-%s\n' "$(service_home)" "$ES_VERSION"; }

install_elasticsearch() {
  local zip="$SAAM_DIST/elasticsearch-$ES_VERSION.zip" home
  ensure_service_user
  require_java21 >/dev/null
  home=$(es_home)
  if [ ! -x "$home/bin/elasticsearch" ]; then
    step "fetching Elasticsearch $ES_VERSION"
    fetch_artifact "org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" "$zip"
    unzip -q -o "$zip" -d "$(dirname "$home")"
  fi
  mkdir -p "$home/data" "$home/logs" "$home/snapshots"
  cat >"$home/config/elasticsearch.yml" <<EOF
cluster.name: saam-local
node.name: saam-local-1
discovery.type: single-node
network.host: 127.0.0.1
http.port: 9200
transport.port: 9300
xpack.security.enabled: false
path.data: $home/data
path.logs: $home/logs
path.repo: $home/snapshots
action.destructive_requires_name: true
EOF
  is_root && chown -R "$SAAM_SERVICE_USER:$SAAM_SERVICE_USER" "$home"
  return 0
}

start_elasticsearch() {
  local home java21 command waited=0
  home=$(es_home)
  java21=$(require_java21)
  rm -f "$home/elasticsearch.pid"
  command=(env ES_JAVA_HOME="$java21" ES_JAVA_OPTS="-Xms512m -Xmx512m"
    "$home/bin/elasticsearch" -p "$home/elasticsearch.pid")
  is_root && command=(runuser -u "$SAAM_SERVICE_USER" -- "${command[@]}")
  spawn elasticsearch-launcher "${command[@]}"
  # The node writes its own PID once it runs; that PID is what `down` stops.
  until [ -s "$home/elasticsearch.pid" ] || [ $waited -ge 90 ] || ! recorded_pid elasticsearch-launcher >/dev/null; do
    sleep 1
    waited=$((waited + 1))
  done
  cp "$home/elasticsearch.pid" "$SAAM_RUN/elasticsearch.pid" 2>/dev/null || true
  rm -f "$SAAM_RUN/elasticsearch-launcher.pid"
}

ready_elasticsearch() { curl -fsS "http://127.0.0.1:9200/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null; }
stop_elasticsearch() { stop_pid elasticsearch 30; }

# ---------------------------------------------------------------------------------------------
# Keycloak in development mode with its file database under .saam.

kc_home() { printf '%s/keycloak-%s\n' "$SAAM_DIST" "$KEYCLOAK_VERSION"; }

install_keycloak() {
  local zip="$SAAM_DIST/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip"
  require_java21 >/dev/null
  if [ ! -x "$(kc_home)/bin/kc.sh" ]; then
    step "fetching Keycloak $KEYCLOAK_VERSION"
    fetch_artifact "org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip" "$zip"
    unzip -q -o "$zip" -d "$SAAM_DIST"
  fi
}

start_keycloak() {
  local java21
  java21=$(require_java21)
  spawn keycloak env JAVA_HOME="$java21" KC_BOOTSTRAP_ADMIN_USERNAME="$SAAM_KEYCLOAK_ADMIN" \
    KC_BOOTSTRAP_ADMIN_PASSWORD="$SAAM_KEYCLOAK_ADMIN_PASSWORD" JAVA_OPTS_KC_HEAP="-Xms256m -Xmx768m" \
    "$(kc_home)/bin/kc.sh" start-dev --http-host=127.0.0.1 --http-port=8180 \
    --http-management-port=9000 --health-enabled=true
}

ready_keycloak() { curl -fsS http://127.0.0.1:8180/realms/master >/dev/null; }

# The realm 'saam' as code, applied on every start (idempotent).
after_start_keycloak() {
  ensure_built identity
  java -jar "$(jar_of identity)" provision >>"$SAAM_LOGS/keycloak.log" 2>&1 ||
    { tail -5 "$SAAM_LOGS/keycloak.log" >&2; die "keycloak: provisioning realm 'saam' failed"; }
}
stop_keycloak() { stop_pid keycloak 30; }

# ---------------------------------------------------------------------------------------------
# Flink session cluster from the Maven Central jars: a JobManager (REST and web UI on 8081) and
# one TaskManager with four slots (the pipeline takes two, a backfill the others), each in its own JVM, as Flink's own scripts would start them.

flink_conf() { printf '%s/flink/conf\n' "$SAAM_DATA"; }

install_flink() {
  local conf data="$SAAM_DATA/flink"
  classpath_of flink >/dev/null
  conf=$(flink_conf)
  mkdir -p "$conf" "$data/checkpoints" "$data/savepoints" "$data/uploads" "$data/tmp" "$data/rocksdb"
  cat >"$conf/config.yaml" <<EOF
jobmanager.rpc.address: 127.0.0.1
jobmanager.rpc.port: 6123
jobmanager.bind-host: 127.0.0.1
jobmanager.memory.process.size: 1024m
taskmanager.bind-host: 127.0.0.1
taskmanager.host: 127.0.0.1
taskmanager.memory.process.size: 2048m
taskmanager.numberOfTaskSlots: 4
parallelism.default: 2
rest.address: 127.0.0.1
rest.bind-address: 127.0.0.1
rest.port: 8081
blob.server.port: 6124
# Any free port: a TaskManager started again after a crash must not reuse its predecessor's
# address, which the JobManager's RPC system may still hold (it then drops the newcomer's
# registration until the old association times out).
taskmanager.rpc.port: 0
# The production state backend (k8s/): RocksDB on the TaskManager's disk, incremental checkpoints.
state.backend.type: rocksdb
execution.checkpointing.incremental: true
state.backend.rocksdb.localdir: $data/rocksdb
execution.checkpointing.dir: file://$data/checkpoints
execution.checkpointing.savepoint-dir: file://$data/savepoints
# Checkpoints outlive a job that is cancelled or fails (or whose cluster dies), so that
# ./saam jobs resume can start it again with its state: a deployment setting, like the storage.
execution.checkpointing.externalized-checkpoint-retention: RETAIN_ON_CANCELLATION
execution.checkpointing.num-retained: 3
metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory
metrics.reporter.prom.port: 9249-9250
web.upload.dir: $data/uploads
io.tmp.dirs: $data/tmp
EOF
  cat >"$conf/log4j.properties" <<'EOF'
rootLogger.level = INFO
rootLogger.appenderRef.console.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
logger.netty.name = org.apache.flink.shaded.netty4.io.netty
logger.netty.level = WARN
EOF
}

# The module openings Flink needs on Java 17 (what flink-dist's config sets as
# env.java.default-opts.all): Flink reaches into java.util and friends by reflection.
FLINK_JAVA_OPTS="--add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED"

# The JVM flags and -D options Flink's start scripts compute from the memory configuration.
flink_resource_params() {
  local cp="$1" kind="$2" output
  output=$(java -cp "$cp" -Dlog4j2.configurationFile="$(flink_conf)/log4j.properties" \
    org.apache.flink.runtime.util.bash.BashJavaUtils "$kind" --configDir "$(flink_conf)" 2>&1) ||
    { printf '%s\n' "$output" >&2; die "flink: could not compute $kind"; }
  printf '%s\n' "$output" | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://'
}

start_flink() {
  local cp conf jm tm jm_jvm jm_dyn tm_jvm tm_dyn
  cp=$(classpath_of flink)
  conf=$(flink_conf)
  jm=$(flink_resource_params "$cp" GET_JM_RESOURCE_PARAMS)
  jm_jvm=$(sed -n 1p <<<"$jm")
  jm_dyn=$(sed -n 2p <<<"$jm")
  tm=$(flink_resource_params "$cp" GET_TM_RESOURCE_PARAMS)
  tm_jvm=$(sed -n 1p <<<"$tm")
  tm_dyn=$(sed -n 2p <<<"$tm")
  if ! recorded_pid flink-jobmanager >/dev/null; then
    # shellcheck disable=SC2086 # the computed flags are a list of words
    spawn flink-jobmanager java $FLINK_JAVA_OPTS $jm_jvm -Dlog4j.configurationFile="$conf/log4j.properties" \
      -Dlog.file="$SAAM_LOGS/flink-jobmanager.log" -cp "$cp" \
      org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint --configDir "$conf" $jm_dyn
  fi
  if ! recorded_pid flink-taskmanager >/dev/null; then
    # shellcheck disable=SC2086
    spawn flink-taskmanager java $FLINK_JAVA_OPTS $tm_jvm -Dlog4j.configurationFile="$conf/log4j.properties" \
      -Dlog.file="$SAAM_LOGS/flink-taskmanager.log" -cp "$cp" \
      org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "$conf" $tm_dyn
  fi
}

ready_flink() {
  curl -fsS http://127.0.0.1:8081/overview | jq -e '.taskmanagers >= 1 and ."slots-total" >= 4' >/dev/null
}
ready_flink-jobmanager() { curl -fsS http://127.0.0.1:8081/overview >/dev/null; }
ready_flink-taskmanager() {
  curl -fsS http://127.0.0.1:8081/taskmanagers | jq -e '.taskmanagers | length >= 1' >/dev/null
}

stop_flink() {
  stop_pid flink-taskmanager 30
  stop_pid flink-jobmanager 30
}

# ---------------------------------------------------------------------------------------------
# The user service (needs postgres, redis, keycloak, elasticsearch and mongo).

install_user_service() { ensure_built user-service; }

start_user_service() {
  spawn user-service java -Xmx512m -jar "$(running_jar_of user-service)"
}

ready_user_service() { curl -fsS http://127.0.0.1:8090/health >/dev/null; }
stop_user_service() { stop_pid user-service 20; }

# ---------------------------------------------------------------------------------------------
# The feature-views query service (needs mongo, keycloak, elasticsearch).

install_feature_views() { ensure_built feature-views; }

start_feature_views() {
  spawn feature-views java -Xmx512m -jar "$(running_jar_of feature-views)"
}

ready_feature_views() { curl -fsS http://127.0.0.1:8091/health >/dev/null; }
stop_feature_views() { stop_pid feature-views 20; }

# ---------------------------------------------------------------------------------------------

ready_limit() {
  case "$1" in
    elasticsearch | keycloak) echo 180 ;;
    rabbitmq | kafka | flink) echo 120 ;;
    *) echo 60 ;;
  esac
}

component_log() {
  case "$1" in
    flink) echo "$SAAM_LOGS/flink-jobmanager.log" ;;
    elasticsearch) echo "$SAAM_LOGS/elasticsearch-launcher.log" ;;
    *) echo "$SAAM_LOGS/$1.log" ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# Prometheus (Debian's package) scraping the stack: Flink's JobManager and TaskManager reporters,
# RabbitMQ's rabbitmq_prometheus, the services' /metrics; the alerting rules of ops/prometheus/.

install_prometheus() { ensure_packages prometheus; }

start_prometheus() {
  local dir="$SAAM_DATA/prometheus"
  mkdir -p "$dir/data"
  sed "s|@RULES@|$SAAM_ROOT/ops/prometheus/alerts.yml|" "$SAAM_ROOT/ops/prometheus/prometheus.yml" \
    >"$dir/prometheus.yml"
  spawn prometheus prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
    --storage.tsdb.retention.time=7d --web.listen-address=127.0.0.1:9090 \
    --web.console.templates="$SAAM_ROOT/ops/prometheus/consoles" \
    --web.console.libraries=/usr/share/prometheus/console_libraries
}

ready_prometheus() { curl -fsS http://127.0.0.1:9090/-/ready >/dev/null; }
stop_prometheus() { stop_pid prometheus 20; }

# The alerting rules are valid and behave as their unit tests say (promtool, from the package).
check_alert_rules() {
  install_prometheus
  step "Prometheus: promtool check config, check rules and test rules"
  local config
  config=$(mktemp --suffix=.yml)
  sed "s|@RULES@|$SAAM_ROOT/ops/prometheus/alerts.yml|" "$SAAM_ROOT/ops/prometheus/prometheus.yml" >"$config"
  promtool check config "$config" || { rm -f "$config"; return 1; }
  rm -f "$config"
  (cd "$SAAM_ROOT/ops/prometheus" && promtool check rules alerts.yml && promtool test rules alerts.test.yml)
}

# Starts one component unless it is running; fails naming it, with its log, if it is not ready.
up_component() {
  local c="$1" start=$SECONDS port
  if component_running "$c" && "ready_${c//-/_}" >/dev/null 2>&1; then
    ok "$c already up"
    return 0
  fi
  for port in $(component_port "$c"); do
    # A component of several processes (flink) may be partly up: its port is then its own.
    if port_open "$port" && ! component_partly_running "$c"; then
      die "$c: port $port on 127.0.0.1 is taken by a process ./saam did not start; stop it or free the port"
    fi
  done
  local f="${c//-/_}"
  "install_$f"
  printf '  starting %s ' "$c"
  component_running "$c" || "start_$f"
  if ! wait_until "$c" "$(ready_limit "$c")" "$(component_log "$c")" "ready_$f"; then
    die "$c failed to start"
  fi
  if declare -F "after_start_$f" >/dev/null; then "after_start_$f"; fi
  printf '%sup%s in %ss\n' "$C_GREEN" "$C_OFF" $((SECONDS - start))
}

stack_up() {
  local components=("$@") c
  [ ${#components[@]} -eq 0 ] && components=("${ALL_COMPONENTS[@]}")
  for c in "${components[@]}"; do check_component_name "$c"; done
  mkdirs
  ensure_packages curl jq unzip
  ensure_built ingestion local-stack
  step "starting ${components[*]}"
  for c in "${components[@]}"; do up_component "$c"; done
}

stack_down() {
  local components=("$@") c i
  [ ${#components[@]} -eq 0 ] && components=("${ALL_COMPONENTS[@]}")
  for c in "${components[@]}"; do check_component_name "$c"; done
  mkdirs
  # Stop in reverse order of start.
  for ((i = ${#components[@]} - 1; i >= 0; i--)); do
    c="${components[$i]}"
    if component_running "$c" || ls "$SAAM_RUN/$c"*.pid >/dev/null 2>&1; then
      printf '  stopping %s\n' "$c"
      "stop_${c//-/_}"
    fi
  done
}

stack_status() {
  local c process pid state ports
  mkdirs
  printf '%-18s %-5s %-18s %s\n' COMPONENT STATE PORTS PIDS
  for c in "${ALL_COMPONENTS[@]}"; do
    if [ "$c" = flink ]; then
      # Two processes that fail on their own: each gets its line (./saam up flink starts the one
      # that is down and leaves the other alone).
      for process in flink-jobmanager flink-taskmanager; do
        if pid=$(recorded_pid "$process"); then
          state="${C_GREEN}up${C_OFF}  "
          "ready_$process" >/dev/null 2>&1 || state="${C_RED}sick${C_OFF}"
        else
          state="${C_RED}down${C_OFF}"
          pid=""
        fi
        ports=""
        [ "$process" = flink-jobmanager ] && ports=8081
        printf '%-18s %s %-18s %s\n' "$process" "$state" "$ports" "$pid"
      done
      continue
    fi
    local pids=""
    state="${C_GREEN}up${C_OFF}  "
    for process in $(component_processes "$c"); do
      if pid=$(recorded_pid "$process"); then
        pids="$pids $pid"
      else
        state="${C_RED}down${C_OFF}"
      fi
    done
    if [ "$state" != "${C_RED}down${C_OFF}" ] && ! "ready_${c//-/_}" >/dev/null 2>&1; then
      state="${C_RED}sick${C_OFF}"
    fi
    ports=$(component_port "$c" | tr ' ' ',')
    printf '%-18s %s %-18s %s\n' "$c" "$state" "$ports" "${pids# }"
  done
}

stack_logs() {
  local c="${1:-}" follow=1 log
  [ -n "$c" ] || die "usage: ./saam logs <component> [--no-follow]; components: ${ALL_COMPONENTS[*]}"
  [ "${2:-}" = "--no-follow" ] && follow=0
  check_component_name "$c"
  log=$(component_log "$c")
  [ "$c" = elasticsearch ] && log="$(es_home)/logs/saam-local.log"
  [ "$c" = postgres ] && log="$SAAM_LOGS/postgres-server.log"
  [ -f "$log" ] || die "$c has no log yet ($log)"
  if [ $follow = 1 ]; then tail -n 100 -F "$log"; else tail -n 100 "$log"; fi
}

# The master administrator's password. Keycloak takes it only when its database is created: a
# local Keycloak first started by an older version of this script keeps the password it was given
# then ('admin'), and that is what gets recorded; every new one gets a random password.
keycloak_admin_password() {
  local file="$SAAM_STATE/secrets/keycloak-admin"
  if [ ! -s "$file" ] && [ -d "$(kc_home)/data/h2" ]; then
    mkdir -p "$SAAM_STATE/secrets" && chmod 700 "$SAAM_STATE/secrets"
    (umask 077 && printf 'admin' >"$file")
  fi
  local_secret keycloak-admin
}
export SAAM_KEYCLOAK_ADMIN_PASSWORD="${SAAM_KEYCLOAK_ADMIN_PASSWORD:-$(keycloak_admin_password)}"
