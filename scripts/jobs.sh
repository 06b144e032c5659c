# Flink jobs on the local session cluster, the test run and the demo. Sourced by ./saam.

FLINK_REST="http://127.0.0.1:8081"
PIPELINE_CLASS="org.saam.stream.pipeline.SensorPipelineJob"
PIPELINE_NAME="sensor-pipeline"
BACKFILL_CLASS="org.saam.stream.backfill.FeatureBackfillJob"

# What the integration tests need running; the tests share it and use unique names.
TEST_COMPONENTS=(rabbitmq redis postgres mongo kafka elasticsearch keycloak user-service)

flink_up() { curl -fsS "$FLINK_REST/overview" >/dev/null 2>&1 || die "the Flink cluster is not up: run ./saam up flink"; }

jobs_command() {
  local sub="${1:-}"
  [ $# -gt 0 ] && shift
  case "$sub" in
    submit) jobs_submit "$@" ;;
    backfill) jobs_backfill "$@" ;;
    list) jobs_list ;;
    cancel) jobs_cancel "$@" ;;
    savepoint) jobs_savepoint "$@" ;;
    stop) jobs_stop "$@" ;;
    resume) jobs_resume "$@" ;;
    upgrade) jobs_upgrade "$@" ;;
    *) die "usage: ./saam jobs submit [job args] | list | savepoint <job> | stop <job> | resume [name] | upgrade [name] | cancel <job> | backfill --from D --to D [--location L]" ;;
  esac
}

# Uploads the job jar and runs sensor-pipeline once: a copy that has not ended (running,
# restarting, ...) is refused. Waits until it runs; prints the job id.
jobs_submit() {
  local active job_id jar
  flink_up
  active=$(active_job_ids "$PIPELINE_NAME")
  [ -z "$active" ] || die "$PIPELINE_NAME is already $(job_state "$(head -1 <<<"$active")") as job $(head -1 <<<"$active"); ./saam jobs upgrade replaces it, ./saam jobs cancel ends it"
  ensure_built stream-jobs
  jar=$(jar_of stream-jobs)
  job_id=$(run_job_jar "$PIPELINE_CLASS" "$@") || exit 1
  wait_job_running "$job_id" 120 || die "$PIPELINE_NAME ($job_id) did not start"
  record_deployed "$PIPELINE_NAME" "$jar" "$@"
  printf '%s\n' "$job_id"
}

# Uploads the job jar and runs its entry class with the arguments; prints the job id.
run_job_jar() {
  local entry="$1" jar upload jar_id args body response job_id
  shift
  flink_up
  ensure_built stream-jobs
  jar="${SAAM_JOB_JAR:-$(jar_of stream-jobs)}"
  upload=$(curl -fsS -X POST -F "jarfile=@$jar" "$FLINK_REST/jars/upload") ||
    die "uploading $jar to the Flink cluster failed"
  jar_id=$(jq -r '.filename' <<<"$upload" | xargs basename)
  # One JSON string per argument (jq's own --args would read --from and the like as its options).
  if [ $# -eq 0 ]; then args='[]'; else args=$(printf '%s\n' "$@" | jq -R . | jq -cs .); fi
  body=$(jq -cn --arg entry "$entry" --argjson args "$args" \
    --argjson parallelism "${SAAM_JOB_PARALLELISM:-2}" --arg from "${SAAM_FROM_SAVEPOINT:-}" \
    '{entryClass: $entry, programArgsList: $args, parallelism: $parallelism}
     + (if $from == "" then {} else {savepointPath: $from, allowNonRestoredState: false} end)') ||
    die "could not build the submission request (SAAM_JOB_PARALLELISM must be a number)"
  response=$(curl -sS -X POST -H 'Content-Type: application/json' -d "$body" "$FLINK_REST/jars/$jar_id/run")
  job_id=$(jq -r '.jobid // empty' <<<"$response" 2>/dev/null || true)
  if [ -z "$job_id" ]; then
    local reason
    # The job's own message (a bad option, a bad range) is what the operator needs, not the trace.
    reason=$(jq -r '.errors[]?' <<<"$response" 2>/dev/null |
      sed -n 's/.*The main method caused an error: //p' | head -1)
    if [ -n "$reason" ]; then
      err "the job refused to start: $reason"
    else
      err "the Flink cluster refused the job:"
      jq -r '.errors[]?' <<<"$response" 2>/dev/null | head -20 >&2 || printf '%s\n' "$response" >&2
    fi
    exit 1
  fi
  [ "$entry" = "$PIPELINE_CLASS" ] && record_submission "$PIPELINE_NAME" "$job_id"
  printf '%s\n' "$job_id"
}

# ./saam jobs backfill: recompute features of stored measurements; waits and shows progress.
jobs_backfill() {
  local args=("$@") has_from=0 has_to=0 a job_id start=$SECONDS state info read written
  for a in "${args[@]}"; do
    case "$a" in --from) has_from=1 ;; --to) has_to=1 ;; --help | -h)
      say "usage: ./saam jobs backfill --from 2026-11-02 --to 2026-11-09 [--location L] [job options]"
      say "  recomputes the features of the windows starting on local dates [from, to) from stored"
      say "  measurements (same functions as the streaming job); documents are replaced by id."
      return 0 ;;
    esac
  done
  [ $has_from = 1 ] && [ $has_to = 1 ] ||
    die "usage: ./saam jobs backfill --from 2026-11-02 --to 2026-11-09 [--location L] (--to not included)"
  job_id=$(run_job_jar "$BACKFILL_CLASS" "${args[@]}") || exit 1
  say "backfill job $job_id submitted (Flink UI: $FLINK_REST/#/job/$job_id/overview)"
  while :; do
    info=$(curl -fsS "$FLINK_REST/jobs/$job_id" 2>/dev/null || echo '{}')
    if [ "$(jq -r '.state // "UNKNOWN"' <<<"$info")" = UNKNOWN ] && [ $((SECONDS - start)) -ge 60 ]; then
      printf '\n' >&2
      die "the Flink cluster does not know job $job_id (see ./saam logs flink)"
    fi
    # A job whose tasks wait for task slots shows RUNNING; say what it is waiting for.
    state=$(jq -r 'if .state == "RUNNING" and ([.vertices[]? | select(.status == "RUNNING" or .status == "FINISHED")] | length) == 0
                   then "WAITING-FOR-SLOTS" else .state // "UNKNOWN" end' <<<"$info")
    read=$(jq -r '[.vertices[]? | select(.name | test("read measurement buckets")) | .metrics."write-records"] | add // 0' <<<"$info")
    written=$(jq -r '[.vertices[]? | select(.name | test("compute features")) | .metrics."read-records"] | add // 0' <<<"$info")
    printf '\r  %-17s %4ds  samples read %s  readings of people into features %s ' \
      "$state" $((SECONDS - start)) "$read" "$written" >&2
    case "$state" in
      FINISHED)
        printf '\n' >&2
        say "backfill done in $((SECONDS - start)) s: the features of $written readings of people rewritten"
        return 0 ;;
      FAILED | CANCELED)
        printf '\n' >&2
        err "backfill job $job_id is $state:"
        curl -fsS "$FLINK_REST/jobs/$job_id/exceptions" 2>/dev/null |
          jq -r '."root-exception" // empty' | head -15 >&2
        return 1 ;;
    esac
    sleep 2
  done
}

jobs_list() {
  local home savepoint
  flink_up
  curl -fsS "$FLINK_REST/jobs/overview" |
    jq -r '.jobs | sort_by(."start-time") | reverse | .[] |
      [.jid, .name, .state, ((."start-time" / 1000 | floor) | todate)] | @tsv' |
    while IFS=$'\t' read -r id name state started; do
      printf '%s\t%s\t%s\t%s\t%s\n' "$id" "$name" "$state" "$started" "$(newest_checkpoint_of "$id")"
    done | { printf 'JOB ID\tNAME\tSTATE\tSTARTED\tNEWEST CHECKPOINT\n'; cat; } | column -t -s $'\t'
  home=$(job_home "$PIPELINE_NAME")
  if [ -s "$home/savepoints" ]; then
    say ""
    say "savepoints of $PIPELINE_NAME (newest last):"
    while read -r savepoint; do
      [ -d "$savepoint" ] && say "  $savepoint"
    done <"$home/savepoints"
  fi
  say ""
  say "resume would start $PIPELINE_NAME from: $(newest_restore_point "$PIPELINE_NAME" || true)"
}

# Cancels a job in any state that has not ended (running, restarting, failing, ...). Its
# checkpoints are retained, so ./saam jobs resume can start it again.
jobs_cancel() {
  local target="${1:-}" ids id
  [ -n "$target" ] || die "usage: ./saam jobs cancel <job-id|name>"
  flink_up
  if [[ "$target" =~ ^[0-9a-f]{32}$ ]]; then ids="$target"; else ids=$(active_job_ids "$target"); fi
  [ -n "$ids" ] || die "no job named or with id '$target' that has not ended (see ./saam jobs list)"
  for id in $ids; do
    curl -fsS -X PATCH "$FLINK_REST/jobs/$id?mode=cancel" >/dev/null || die "cancelling job $id failed"
    say "cancelled $id (its checkpoints are kept: ./saam jobs resume)"
  done
}

# Waits until every task of a job runs (sources consume only then).
wait_job_running() {
  local job_id="$1" limit="${2:-90}" start=$SECONDS state
  while :; do
    state=$(curl -fsS "$FLINK_REST/jobs/$job_id" 2>/dev/null |
      jq -r 'if .state == "RUNNING" and ([.vertices[] | select(.status != "RUNNING")] | length) == 0
             then "RUNNING" else .state end' 2>/dev/null || echo UNKNOWN)
    [ "$state" = RUNNING ] && return 0
    case "$state" in FAILED | CANCELED | FINISHED)
      err "job $job_id is $state; the JobManager log says:"
      grep -E 'ERROR|Exception' "$SAAM_LOGS/flink-jobmanager.log" | tail -15 >&2
      return 1 ;;
    esac
    [ $((SECONDS - start)) -ge "$limit" ] && { err "job $job_id is still $state after ${limit}s"; return 1; }
    sleep 1
  done
}

# The coaching part of the demo: a person in a simulated home, a fortnight ending yesterday with
# three short nights planted, and the one sleep event it gives, read from Kafka as an app
# backend would. Needs a pipeline whose event time has not passed the fortnight yet (a fresh one:
# one source reads all homes, so a home's old data is late for a pipeline that has seen newer).
# A token of the local demo account with the given role (admin, data-scientist, ...) and scope.
demo_token() {
  local role="$1" scope="$2"
  curl -fsS -d grant_type=password -d client_id=saam-cli -d username="$role-demo" \
    -d password="$role-demo-pass" -d scope="openid $scope" \
    http://127.0.0.1:8180/realms/saam/protocol/openid-connect/token | jq -er .access_token ||
    { err "no $role token from Keycloak (demo accounts exist only in local mode)"; return 1; }
}

# Creates a person in the user service who lives at a new location from 2026-01-01; prints the
# person's id.
new_resident() {
  local location="$1" zone="$2" name="$3" token person
  token=$(demo_token admin userapi) || return 1
  person=$(curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "$(jq -cn --arg n "$name" --arg z "$zone" '{display_name: $n, time_zone: $z}')" \
    http://127.0.0.1:8090/v1/users | jq -er .id) ||
    { err "creating the person $name failed"; return 1; }
  curl -fsS -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"location_id\":\"$location\"}" http://127.0.0.1:8090/v1/locations &&
    curl -fsS -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      -d "{\"user_id\":\"$person\",\"valid_from\":\"2026-01-01T00:00:00Z\"}" \
      "http://127.0.0.1:8090/v1/locations/$location/assignments" ||
    { err "assigning $person to $location failed"; return 1; }
  printf '%s\n' "$person"
}

demo_coaching() {
  local prefix location truth zone person start nights event
  prefix="coach$(date +%s | tail -c 7)-"
  location="${prefix}0001"
  truth="$SAAM_STATE/simulations/coaching-demo.json"
  start=$(date -u -d "-14 days" +%Y-%m-%d)
  nights="$(date -u -d "$start +5 days" +%F),$(date -u -d "$start +6 days" +%F),$(date -u -d "$start +7 days" +%F)"
  step "coaching: a fortnight of home $location from $start with short nights $nights" >&2
  mkdir -p "$SAAM_STATE/simulations"
  java -jar "$(jar_of ingestion)" simulate --homes 1 --days 1 --seed 7 --location-prefix "$prefix" \
    --dry-run /dev/null --truth "$truth" >/dev/null || { err "simulating failed"; return 1; }
  zone=$(jq -r '.homes[0].time_zone' "$truth")
  person=$(new_resident "$location" "$zone" "Coaching demo") || return 1
  ok "person $person ($zone) lives at $location" >&2
  java -jar "$(jar_of ingestion)" simulate --homes 1 --days 14 --start "$start" --seed 7 \
    --location-prefix "$prefix" --plant-short-nights "$nights" --truth "$truth" >&2 ||
    { err "publishing the fortnight failed"; return 1; }
  step "waiting for the coaching event (Kafka topic saam.coaching-events)" >&2
  ensure_built coaching-consumer
  event=$(timeout 180 java -jar "$(jar_of coaching-consumer)" --from-beginning --user "$person" \
    --rule sleep.short_nights --group "demo-$prefix" --max-events 1 2>/dev/null | head -1)
  [ -n "$event" ] || { err "no coaching event within 180 s: see ./saam logs flink"; return 1; }
  ok "$event" >&2
  printf '%s\n' "$event"
}

# ./saam simulate: the gateway simulator against the local broker.
run_simulation() {
  local args=("$@") has_truth=0 has_ca=0 tls=0 seed=42 i
  for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[$i]}" in
      --help | -h)
        ensure_built ingestion
        java -jar "$(jar_of ingestion)" simulate --help
        return 0 ;;
      --truth) has_truth=1 ;;
      --ca) has_ca=1 ;;
      --tls) tls=1 ;;
      --seed) seed="${args[$((i + 1))]:-42}" ;;
    esac
  done
  ensure_built ingestion
  mkdir -p "$SAAM_STATE/simulations"
  [ $has_truth = 1 ] || args+=(--truth "$SAAM_STATE/simulations/truth-seed$seed.json")
  [ $tls = 1 ] && [ $has_ca = 0 ] && args+=(--ca "$SAAM_STATE/tls/ca.pem")
  java -jar "$(jar_of ingestion)" simulate "${args[@]}"
}

# The integration tests publish readings of homes of their own (ids it-...) and each test reads
# them from a queue of its own. Copies of them would also pile up in the pipeline's queue
# saam.readings, bound to every home, and the next demo would wait behind them at the
# acknowledgement window's pace; so the binding is lifted for the run and put back after it. A
# marker keeps it lifted when a test restarts the broker (whose start declares the topology); the
# demo declares the topology again before it starts, should a run have been killed.
readings_binding() {
  local method=$1 url="http://127.0.0.1:15672/api/bindings/%2F/e/amq.topic/q/saam.readings"
  case "$method" in
    lift)
      touch "$SAAM_RUN/readings-binding.lifted"
      curl -sS -o /dev/null -u "$SAAM_RABBITMQ_USER:$SAAM_RABBITMQ_PASSWORD" -X DELETE \
        "$url/saam.%2A.readings" || true ;;
    restore)
      rm -f "$SAAM_RUN/readings-binding.lifted"
      curl -fsS -o /dev/null -u "$SAAM_RABBITMQ_USER:$SAAM_RABBITMQ_PASSWORD" \
      -H 'Content-Type: application/json' -d '{"routing_key":"saam.*.readings"}' "$url" ||
      err "could not bind saam.readings again: java -jar $(jar_of ingestion) topology does" ;;
  esac
}

# ./saam test: the stack the tests need, `mvn verify`, then stop what this run started.
run_tests() {
  local c started=() rc=0
  mkdirs
  # The web page test drives Debian's Chromium; the page's chart library comes from npm.
  ensure_packages chromium chromium-driver
  command -v npm >/dev/null 2>&1 || ensure_packages npm
  for c in "${TEST_COMPONENTS[@]}"; do component_running "$c" || started+=("$c"); done
  stack_up "${TEST_COMPONENTS[@]}"
  step "mvn verify (unit tests, then *ITCase integration tests against the local stack)"
  check_alert_rules || rc=$?
  readings_binding lift
  # The image tarballs are built in the package phase and opened by k8s/'s ImageTarballsTest.
  [ $rc -ne 0 ] || build_image_base || rc=$?
  [ $rc -ne 0 ] ||
    (cd "$SAAM_ROOT" && mvn -B verify -Djib.skip=false -Dsaam.images.built=true "$@") || rc=$?
  readings_binding restore
  if [ $rc -eq 0 ]; then
    for c in flink feature-views prometheus; do component_running "$c" || started+=("$c"); done
    run_operations_test || rc=1
    [ $rc -ne 0 ] || run_bench_smoke || rc=1
  fi
  if [ ${#started[@]} -gt 0 ]; then
    step "stopping what the test run started: ${started[*]}"
    stack_down "${started[@]}"
  fi
  return $rc
}

# ./saam demo: the platform end to end on the local stack.
run_demo() {
  local homes=3 minutes=120 start_at job_id published stored quarantined limit=180 waited=0 count_args
  local locations
  build_artifacts
  stack_up
  rm -f "$SAAM_RUN/readings-binding.lifted"
  java -jar "$(jar_of ingestion)" topology >>"$SAAM_LOGS/rabbitmq.log" 2>&1 ||
    die "declaring the broker topology failed: see $SAAM_LOGS/rabbitmq.log"
  step "submitting $PIPELINE_NAME to the Flink session cluster"
  job_id=$(active_job_ids "$PIPELINE_NAME" | head -1)
  if [ -n "$job_id" ]; then
    ok "$PIPELINE_NAME is already running as job $job_id"
  else
    job_id=$(jobs_submit)
    ok "submitted as job $job_id"
  fi
  wait_job_running "$job_id" || die "the pipeline did not start"
  ok "every task of $PIPELINE_NAME is running"

  # Each home has its own event time, so a fresh home's past fortnight is coached on a pipeline
  # that has been running for days just as on a new one.
  local coaching_line
  coaching_line=$(demo_coaching) || coaching_line="no event (see above)"

  # Fresh readings every run: the demo night ends at the current minute.
  start_at=$(date -u -d "@$(($(date +%s) / 60 * 60 - minutes * 60))" +%Y-%m-%dT%H:%M:%SZ)
  step "publishing $minutes minutes of readings from $homes homes over MQTT (QoS 1) from $start_at"
  published=$(java -jar "$(jar_of ingestion)" demo-publish --homes "$homes" --minutes "$minutes" \
    --start "$start_at" | tee -a /dev/stderr | sed -n 's/^published_readings=//p')
  [ -n "$published" ] || die "publishing failed"

  step "waiting for the readings to be stored in MongoDB"
  locations=$(seq -f 'demo-%04g' -s, 1 "$homes")
  count_args=(count-samples --from "$start_at" --minutes "$minutes" --locations "$locations")
  while :; do
    stored=$(java -jar "$(jar_of local-stack)" "${count_args[@]}")
    printf '\r  stored %s of %s readings ' "$stored" "$published"
    [ "$stored" -ge "$published" ] && break
    [ $waited -ge $limit ] && break
    sleep 2
    waited=$((waited + 2))
  done
  printf '\n'
  quarantined=$(java -jar "$(jar_of local-stack)" count-quarantine --locations "$locations")

  cat <<EOF

${C_BOLD}SAAM demo${C_OFF}
  readings published over MQTT : $published ($homes homes, $minutes minutes from $start_at)
  readings stored in MongoDB   : $stored (collection saam.measurements, hourly buckets)
  refused, in quarantine       : $quarantined (collection saam.quarantine)
  coaching event (Kafka)       : $coaching_line
  Flink web UI                 : $FLINK_REST/#/job/running/$job_id/overview
  RabbitMQ management          : http://127.0.0.1:15672 (saam-admin / password in .saam/secrets/rabbitmq-admin)
  Keycloak admin console       : http://127.0.0.1:8180 ($SAAM_KEYCLOAK_ADMIN / password in .saam/secrets/keycloak-admin)
  user service                 : http://127.0.0.1:8090/health
  feature views (data API)     : http://127.0.0.1:8091/openapi.json

Demo accounts of realm 'saam' (local stack only; user / password):
  participant-demo / participant-demo-pass      caregiver-demo / caregiver-demo-pass
  data-scientist-demo / data-scientist-demo-pass  operator-demo / operator-demo-pass
  admin-demo / admin-demo-pass
  A token for the user service:
    curl -s -d grant_type=password -d client_id=saam-cli -d username=admin-demo \\
      -d password=admin-demo-pass -d scope="openid userapi" \\
      http://127.0.0.1:8180/realms/saam/protocol/openid-connect/token

Look at the data:
  T=\$(curl -s -d grant_type=password -d client_id=saam-cli -d username=data-scientist-demo \\
      -d password=data-scientist-demo-pass -d scope="openid sensorapi" \\
      http://127.0.0.1:8180/realms/saam/protocol/openid-connect/token | jq -r .access_token)
  curl -s -H "Authorization: Bearer \$T" \\
    "http://127.0.0.1:8091/v1/views/microhub_bed/data?location_id=demo-0001&from=$start_at&to=$(date -u +%Y-%m-%dT%H:%M:%SZ)&format=csv" | head
  java -jar $(realpath --relative-to="$PWD" "$(jar_of local-stack)") show-bucket --location demo-0001 --source bed.presence
  (any MongoDB client works too: mongodb://127.0.0.1:27017, database saam)
Stop everything with ./saam down.
EOF
  if [ "$stored" != "$published" ]; then
    die "stored $stored readings but published $published: see ./saam logs flink"
  fi
}
