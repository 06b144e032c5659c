# Shared helpers of ./saam: paths, messages, packages, processes. Sourced, not run.

SAAM_STATE="${SAAM_STATE_DIR:-$SAAM_ROOT/.saam}"
SAAM_RUN="$SAAM_STATE/run"     # PID files
SAAM_LOGS="$SAAM_STATE/logs"   # one log per process
SAAM_DATA="$SAAM_STATE/data"   # server data
SAAM_DIST="$SAAM_STATE/dist"   # unpacked server distributions and class paths
SAAM_VERSION="0.1.0-SNAPSHOT"
SAAM_SERVICE_USER="saam"       # Elasticsearch and PostgreSQL refuse to run as root

if [ -t 1 ]; then
  C_BOLD=$'\e[1m' C_GREEN=$'\e[32m' C_RED=$'\e[31m' C_DIM=$'\e[2m' C_OFF=$'\e[0m'
else
  C_BOLD="" C_GREEN="" C_RED="" C_DIM="" C_OFF=""
fi

say() { printf '%s\n' "$*"; }
step() { printf '%s==>%s %s\n' "$C_BOLD" "$C_OFF" "$*"; }
ok() { printf '  %sok%s %s\n' "$C_GREEN" "$C_OFF" "$*"; }
err() { printf '%ssaam:%s %s\n' "$C_RED" "$C_OFF" "$*" >&2; }
die() {
  err "$*"
  exit 1
}

# Everything ./saam starts runs in local mode (org.saam.common.config.LocalMode): secrets may fall
# back to their well-known local values, Keycloak gets the demo accounts and the command-line
# client's password grant. Nothing outside the local stack sets it.
export SAAM_LOCAL_MODE=true

mkdirs() { mkdir -p "$SAAM_RUN" "$SAAM_LOGS" "$SAAM_DATA" "$SAAM_DIST"; }

# A secret of the local stack: random, made on first use, kept in .saam/secrets/<name> (mode 600).
# The local stack has no known passwords; production takes its secrets from its own store.
local_secret() {
  local dir="$SAAM_STATE/secrets" file="$SAAM_STATE/secrets/$1"
  if [ ! -s "$file" ]; then
    mkdir -p "$dir" && chmod 700 "$dir"
    (umask 077 && head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32 >"$file")
  fi
  cat "$file"
}

# The broker accounts every ./saam command, job and test of the local stack uses: the
# administrator (topology, gateways, quarantine), the pipeline's own account and the
# simulator's. Values already in the environment win.
export_broker_credentials() {
  export SAAM_RABBITMQ_USER="${SAAM_RABBITMQ_USER:-saam-admin}"
  export SAAM_RABBITMQ_PASSWORD="${SAAM_RABBITMQ_PASSWORD:-$(local_secret rabbitmq-admin)}"
  export SAAM_RABBITMQ_PIPELINE_PASSWORD="${SAAM_RABBITMQ_PIPELINE_PASSWORD:-$(local_secret rabbitmq-pipeline)}"
  export SAAM_MQTT_USER="${SAAM_MQTT_USER:-saam-simulator}"
  export SAAM_MQTT_PASSWORD="${SAAM_MQTT_PASSWORD:-$(local_secret rabbitmq-simulator)}"
}

is_root() { [ "$(id -u)" = 0 ]; }

# Installs Debian packages that are missing. As root on Debian or Ubuntu it runs apt-get;
# otherwise it prints the exact command and fails.
ensure_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if is_root && command -v apt-get >/dev/null 2>&1; then
    step "installing Debian packages: ${missing[*]}"
    if [ ! -f "$SAAM_STATE/.apt-updated" ]; then
      DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$SAAM_LOGS/apt.log" 2>&1 ||
        { tail -20 "$SAAM_LOGS/apt.log" >&2; die "apt-get update failed (log: $SAAM_LOGS/apt.log)"; }
      touch "$SAAM_STATE/.apt-updated"
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
      >>"$SAAM_LOGS/apt.log" 2>&1 ||
      { tail -20 "$SAAM_LOGS/apt.log" >&2; die "apt-get install ${missing[*]} failed (log: $SAAM_LOGS/apt.log)"; }
  else
    die "missing packages: ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}"
  fi
}

# A JDK >= 21 (Elasticsearch and Keycloak need it; the project itself runs on 17).
find_java21() {
  local candidate version
  for candidate in "${SAAM_JAVA21_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    version=$("$candidate/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
    if [ -n "$version" ] && [ "$version" -ge 21 ]; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 1
}

require_java21() {
  find_java21 || die "no JDK 21 or newer found (looked at SAAM_JAVA21_HOME, JAVA_HOME and /usr/lib/jvm/*);" \
    "Elasticsearch and Keycloak need one: install one (for example 'apt-get install openjdk-21-jdk-headless'" \
    "where available) and set SAAM_JAVA21_HOME"
}

# The unprivileged user that runs Elasticsearch and PostgreSQL when ./saam runs as root.
ensure_service_user() {
  is_root || return 0
  id -u "$SAAM_SERVICE_USER" >/dev/null 2>&1 ||
    useradd --system --user-group --no-create-home --shell /usr/sbin/nologin "$SAAM_SERVICE_USER"
}

# Runs a command as the service user (or as oneself when not root).
as_service_user() {
  if is_root; then
    runuser -u "$SAAM_SERVICE_USER" -- "$@"
  else
    "$@"
  fi
}

# Where the service user keeps its data: under .saam when it can reach it, otherwise in a folder
# of its own under /var/tmp named after this checkout (a checkout in a private folder, such as one
# made by mktemp, cannot be entered by another user).
service_home() {
  local dir="$SAAM_DATA/service"
  if is_root; then
    mkdir -p "$dir"
    if ! runuser -u "$SAAM_SERVICE_USER" -- test -x "$dir" 2>/dev/null; then
      dir="/var/tmp/saam-$(printf '%s' "$SAAM_ROOT" | sha1sum | cut -c1-12)"
    fi
    mkdir -p "$dir"
    chown "$SAAM_SERVICE_USER:$SAAM_SERVICE_USER" "$dir"
  fi
  mkdir -p "$dir"
  printf '%s\n' "$dir"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The PID recorded for a process, if that process is still alive.
recorded_pid() {
  local file="$SAAM_RUN/$1.pid" pid
  [ -f "$file" ] || return 1
  pid=$(tr -dc '0-9' <"$file")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  printf '%s\n' "$pid"
}

# Starts a command in its own session in the background, logging to logs/<name>.log and
# recording its PID.
spawn() {
  local name="$1"
  shift
  mkdirs
  setsid nohup "$@" >>"$SAAM_LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$SAAM_RUN/$name.pid"
  # Not a job of this shell: its end (a crash, a kill) is for ./saam status, not a shell notice.
  disown "$!" 2>/dev/null || true
}

# Stops a recorded process: TERM, then KILL after the grace period. Only the recorded PID is
# touched, and the process group it leads when ./saam started it as a session leader.
stop_pid() {
  local name="$1" grace="${2:-30}" pid target waited=0
  pid=$(recorded_pid "$name") || { rm -f "$SAAM_RUN/$name.pid"; return 0; }
  target="$pid"
  [ "$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')" = "$pid" ] && target="-$pid"
  kill -TERM -- "$target" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt "$grace" ]; do
    sleep 1
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    err "$name (PID $pid) did not stop in ${grace}s; killing it"
    kill -KILL -- "$target" 2>/dev/null || true
    sleep 1
  fi
  rm -f "$SAAM_RUN/$name.pid"
}

# Waits until a check passes, printing dots; on time-out names the component and shows its log.
wait_until() {
  local name="$1" limit="$2" log="$3"
  shift 3
  local start=$SECONDS
  until "$@" >/dev/null 2>&1; do
    if [ $((SECONDS - start)) -ge "$limit" ]; then
      printf '\n'
      err "$name did not become ready within ${limit}s. Last lines of $log:"
      tail -n 25 "$log" >&2 2>/dev/null || true
      return 1
    fi
    sleep 1
  done
  return 0
}

# Copies one artifact from Maven Central (through the local Maven repository) to a path.
fetch_artifact() {
  local coordinates="$1" target="$2"
  [ -f "$target" ] && return 0
  mkdir -p "$(dirname "$target")"
  mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="$coordinates" -DoutputDirectory="$(dirname "$target")" \
    -Dmdep.stripVersion=false >>"$SAAM_LOGS/downloads.log" 2>&1 ||
    die "could not fetch $coordinates from Maven Central (log: $SAAM_LOGS/downloads.log)"
  local fetched
  fetched="$(dirname "$target")/$(echo "$coordinates" | awk -F: '{print $2"-"$3"."$4}')"
  [ "$fetched" = "$target" ] || mv "$fetched" "$target"
}

# Resolves a class path file from one of the local-stack class-path POMs.
classpath_of() {
  local name="$1" out="$SAAM_DIST/classpath/$1.txt" pom="$SAAM_ROOT/local-stack/$1/pom.xml"
  if [ ! -s "$out" ] || [ "$pom" -nt "$out" ] || [ "$SAAM_ROOT/pom.xml" -nt "$out" ]; then
    mkdir -p "$(dirname "$out")" "$SAAM_LOGS"
    mvn -B -q -f "$pom" dependency:build-classpath -Dmdep.outputFile="$out" \
      >>"$SAAM_LOGS/downloads.log" 2>&1 ||
      die "could not resolve the $name class path (log: $SAAM_LOGS/downloads.log)"
  fi
  cat "$out"
}

# Builds the jars ./saam runs (all modules, or the named ones and what they need), skipping tests.
build_artifacts() {
  local modules=("$@") selection=()
  mkdirs
  command -v npm >/dev/null 2>&1 || ensure_packages npm # feature-views bundles its chart library
  [ ${#modules[@]} -gt 0 ] && selection=(-pl "$(IFS=,; echo "${modules[*]}")" -am)
  step "building ${modules[*]:-all modules} (mvn package, tests skipped; log: $SAAM_LOGS/build.log)"
  (cd "$SAAM_ROOT" && mvn -B -q package -DskipTests -Dspotless.check.skip=true "${selection[@]}") \
    >"$SAAM_LOGS/build.log" 2>&1 ||
    { tail -30 "$SAAM_LOGS/build.log" >&2; die "build failed (log: $SAAM_LOGS/build.log)"; }
  ok "jars built"
}

jar_of() {
  case "$1" in
    local-stack) printf '%s\n' "$SAAM_ROOT/local-stack/target/saam-local-stack-$SAAM_VERSION-cli.jar" ;;
    benchmarks) printf '%s\n' "$SAAM_ROOT/benchmarks/target/saam-benchmarks-$SAAM_VERSION-cli.jar" ;;
    coaching-consumer) printf '%s\n' "$SAAM_ROOT/examples/coaching-consumer/target/saam-coaching-consumer-$SAAM_VERSION-cli.jar" ;;
    ingestion) printf '%s\n' "$SAAM_ROOT/ingestion/target/saam-ingestion-$SAAM_VERSION-cli.jar" ;;
    stream-jobs) printf '%s\n' "$SAAM_ROOT/stream-jobs/target/saam-stream-jobs-$SAAM_VERSION-job.jar" ;;
    identity) printf '%s\n' "$SAAM_ROOT/identity/target/saam-identity-$SAAM_VERSION-cli.jar" ;;
    user-service) printf '%s\n' "$SAAM_ROOT/user-service/target/saam-user-service-$SAAM_VERSION-app.jar" ;;
    feature-views) printf '%s\n' "$SAAM_ROOT/feature-views/target/saam-feature-views-$SAAM_VERSION-app.jar" ;;
  esac
}

# A private copy of a module's jar for a long-running server: a rebuild (mvn verify repackages
# every jar) must not rewrite the jar under a running JVM, which then fails to load its classes.
running_jar_of() {
  local jar copy
  jar=$(jar_of "$1")
  copy="$SAAM_STATE/run/$(basename "$jar")"
  mkdir -p "$SAAM_STATE/run"
  cp "$jar" "$copy.tmp" && mv "$copy.tmp" "$copy"
  printf '%s\n' "$copy"
}

# Builds the named modules if their jars are missing.
ensure_built() {
  local module missing=()
  for module in "$@"; do
    [ -f "$(jar_of "$module")" ] || missing+=("$module")
  done
  missing=("${missing[@]/#coaching-consumer/examples/coaching-consumer}")
  [ ${#missing[@]} -eq 0 ] || build_artifacts "${missing[@]}"
}
