# The operations test: the pipeline's lifecycle on the real local session cluster, as an operator
# meets it at 3 a.m. Run by `./saam test` after `mvn verify`. Sourced by ./saam.
#
#   submit -> a day of one home stored -> savepoint -> upgrade to a rebuilt jar -> a second day
#   -> kill -9 of the TaskManager while a third day is published, ./saam up flink
#   -> kill -9 of JobManager and TaskManager, ./saam up flink, ./saam jobs resume -> a fourth day
#   -> jobs stop, ./saam backup, every store wiped, ./saam restore, jobs resume -> a fifth day
#   -> kill -9 of Redis, then of the user service, each while a day is published, ./saam up it
#
# After the first day every target of the local Prometheus must answer and the pipeline's own
# metrics must show the readings.
#
# After each step every reading published so far is stored exactly once (count of distinct samples
# equals the simulator's count).
#
# One home has a resident: its ten days are published in parts around the upgrade and the kills,
# with three short nights in a row across them. At the end every night's sleep feature equals the
# simulator's truth (a window open at a kill kept what it had), and Kafka holds the sleep event
# exactly once (the rule's history of the earlier nights survived; nothing was sent twice).

# A simulated day of a home of its own (a simulated day reaches into the evening before, so two
# days of one home would share timestamps); prints the readings published.
ops_publish_day() {
  local prefix="$1" day="$2"
  java -jar "$(jar_of ingestion)" simulate --homes 1 --days 1 --seed 5 --location-prefix "$prefix" \
    --start "$day" --truth "$SAAM_STATE/simulations/ops-$prefix$day.json" 2>&1 |
    sed -n 's/^published_readings=//p'
}

# The coached home: one simulation cut at fixed instants, so its parts send every batch once.
OPS_COACHED=(--homes 1 --days 10 --start 2026-10-20 --seed 11
  --plant-short-nights 2026-10-24,2026-10-25,2026-10-26)
OPS_CUTS=(2026-10-25T00:00:00Z 2026-10-26T06:00:00Z 2026-10-27T06:00:00Z)
OPS_SHORT_NIGHTS='["2026-10-24","2026-10-25","2026-10-26"]'

# Publishes part N (1 to 4) of the coached home's ten days; prints the readings published.
ops_publish_coached() {
  local prefix="$1" part="$2" window=()
  [ "$part" -gt 1 ] && window+=(--send-from "${OPS_CUTS[$((part - 2))]}")
  [ "$part" -le ${#OPS_CUTS[@]} ] && window+=(--send-until "${OPS_CUTS[$((part - 1))]}")
  java -jar "$(jar_of ingestion)" simulate "${OPS_COACHED[@]}" --location-prefix "$prefix" \
    "${window[@]}" --truth "$SAAM_STATE/simulations/ops-coached.json" 2>&1 |
    sed -n 's/^published_readings=//p'
}

# The coached home's resident, created and assigned before its first reading; prints the id.
ops_coached_resident() {
  local prefix="$1" truth="$SAAM_STATE/simulations/ops-coached.json" zone
  mkdir -p "$SAAM_STATE/simulations"
  java -jar "$(jar_of ingestion)" simulate "${OPS_COACHED[@]}" --location-prefix "$prefix" \
    --dry-run /dev/null --truth "$truth" >/dev/null || { err "simulating the coached home failed"; return 1; }
  zone=$(jq -er '.homes[0].time_zone' "$truth") || return 1
  new_resident "${prefix}0001" "$zone" "Operations test resident"
}

# Every night of the coached home has its sleep feature, equal to the truth (read through
# feature-views as a data scientist would); Kafka holds the person's sleep event once, with the
# three planted nights as evidence, and no event id twice.
ops_check_coached() {
  local person="$1" truth="$SAAM_STATE/simulations/ops-coached.json" zone token rows mismatch
  local start=$SECONDS dump events sleep repeated
  zone=$(jq -r '.homes[0].time_zone' "$truth")
  token=$(demo_token data-scientist sensorapi) || return 1
  while :; do
    rows=$(curl -fsS -H "Authorization: Bearer $token" --get \
      --data-urlencode "user_id=$person" --data-urlencode source_id=feature.sleep.total_sleep_min \
      --data-urlencode from=2026-10-18T00:00:00Z --data-urlencode to=2026-11-01T00:00:00Z \
      --data-urlencode "tz=$zone" http://127.0.0.1:8091/v1/views/sleep/data) ||
      { err "feature-views refused the sleep features of $person"; return 1; }
    mismatch=$(jq -rn --slurpfile rows <(printf '%s\n' "$rows") --slurpfile truth "$truth" '
      ($rows | map({key: .ts[0:10], value: .value}) | from_entries) as $got
      | [$truth[0].homes[0].nights | to_entries[] | select(.value.total_sleep_min != null)
         | select($got[.key] != .value.total_sleep_min)
         | "\(.key): stored \($got[.key] // "none"), truth \(.value.total_sleep_min)"] | join("; ")')
    [ -z "$mismatch" ] && break
    if [ $((SECONDS - start)) -ge 60 ]; then
      err "sleep features of the coached home differ from the truth: $mismatch"
      return 1
    fi
    sleep 3
  done
  ok "coached home: every night's total sleep as simulated ($(jq -s length <<<"$rows") nights), though windows were open at the upgrade and each kill"

  dump=$(mktemp)
  java -jar "$(jar_of local-stack)" backup-topic --topic saam.coaching-events --out "$dump" \
    >/dev/null 2>&1 || { rm -f "$dump"; err "reading topic saam.coaching-events failed"; return 1; }
  # Keys are <user_id>/<event_id>; a record without a value is an erasure's tombstone.
  events=$(jq -c --arg p "$person" 'select((.key // "") | startswith($p + "/")) | select(.value != null) | .value | fromjson
    | {id: .event_id, rule: .rule_id, nights: [.evidence[].window_start[0:10]]}' "$dump")
  rm -f "$dump"
  sleep=$(jq -s -c '[.[] | select(.rule == "sleep.short_nights")]' <<<"$events")
  repeated=$(jq -s -r 'group_by(.id) | map(select(length > 1) | .[0].id) | join(", ")' <<<"$events")
  [ -z "$repeated" ] || { err "coaching events in Kafka more than once: $repeated"; return 1; }
  [ "$(jq length <<<"$sleep")" = 1 ] ||
    { err "Kafka holds $(jq length <<<"$sleep") sleep events of the coached person, not 1: $sleep"; return 1; }
  [ "$(jq -c '.[0].nights' <<<"$sleep")" = "$OPS_SHORT_NIGHTS" ] ||
    { err "the sleep event's evidence is $(jq -c '.[0].nights' <<<"$sleep"), not the planted nights $OPS_SHORT_NIGHTS"; return 1; }
  ok "coached home: one sleep event in Kafka for the short nights $OPS_SHORT_NIGHTS, no event twice ($(jq -s length <<<"$events") events of the person)"
}

# Waits until the stored samples of the test's homes reach the expected count; fails naming both.
ops_wait_stored() {
  local homes="$1" expected="$2" what="$3" limit="${4:-300}" start=$SECONDS stored
  while :; do
    stored=$(java -jar "$(jar_of local-stack)" count-samples --locations "$homes" 2>/dev/null || echo 0)
    if [ "$stored" -eq "$expected" ]; then
      ok "$what: $stored of $expected readings stored"
      return 0
    fi
    if [ "$stored" -gt "$expected" ]; then
      err "$what: $stored samples stored, more than the $expected published"
      return 1
    fi
    if [ $((SECONDS - start)) -ge "$limit" ]; then
      err "$what: $stored of $expected readings stored after ${limit}s"
      return 1
    fi
    sleep 2
  done
}

# A PromQL query's first value, or nothing.
prom_value() {
  curl -fsS --get --data-urlencode "query=$1" http://127.0.0.1:9090/api/v1/query 2>/dev/null |
    jq -r '.data.result[0].value[1] // empty'
}

# The pipeline's own metrics (PipelineMetrics, renamed to saam_* by the scrape configuration) that
# a short run of stored readings must have moved.
OPS_PIPELINE_METRICS=(saam_messages_in_total saam_readings_in_total saam_readings_stored_total
  saam_assignment_lookups_total saam_e2e_lag_seconds_count)

# Every scrape target of the local Prometheus answers, every rule evaluates, and the pipeline's and
# the broker's own metrics are there with values from the readings just stored.
ops_check_metrics() {
  local start=$SECONDS down queue broken metric value missing summary
  while :; do
    down=$(curl -fsS http://127.0.0.1:9090/api/v1/targets 2>/dev/null |
      jq -r '[.data.activeTargets[] | select(.health != "up") | "\(.labels.job) \(.scrapeUrl) \(.health) \(.lastError)"] | join("; ")')
    queue=$(prom_value 'count(rabbitmq_queue_messages_ready{queue="saam.readings"})')
    broken=$(curl -fsS http://127.0.0.1:9090/api/v1/rules 2>/dev/null |
      jq -r '[.data.groups[].rules[] | select(.health == "err") | "\(.name): \(.lastError)"] | join("; ")')
    missing="" summary=""
    for metric in "${OPS_PIPELINE_METRICS[@]}"; do
      value=$(prom_value "sum($metric{job_name=\"sensor_pipeline\"})")
      if [ -z "$value" ] || [ "${value%.*}" -le 0 ] 2>/dev/null; then
        missing+="$metric=${value:-no series} "
      else
        summary+="$metric=${value%.*} "
      fi
    done
    # The lag quantile is a number only when the histogram's bucket bounds arrive as numbers.
    value=$(prom_value 'max(saam:e2e_lag_seconds:p99_5m)')
    if [ -z "$value" ] || [ "$value" = NaN ]; then
      missing+="saam:e2e_lag_seconds:p99_5m=${value:-no series} "
    else
      summary+="lag_p99=${value}s "
    fi
    if [ -z "$down" ] && [ -z "$broken" ] && [ -z "$missing" ] && [ "${queue:-0}" = 1 ]; then
      ok "Prometheus: every target up, every rule evaluates; saam.readings depth reported; ${summary% }"
      return 0
    fi
    if [ $((SECONDS - start)) -ge 60 ]; then
      err "Prometheus after 60 s: targets not up: ${down:-none}; rules failing: ${broken:-none}; pipeline metrics without a value: ${missing:-none}; saam.readings depth series: ${queue:-0}"
      return 1
    fi
    sleep 3
  done
}

# The operators' page (a console template of the local Prometheus) in headless Chromium: each of
# its four plots drew points from the last hour; a screenshot is kept in the logs folder.
OPS_CONSOLE_URL=http://127.0.0.1:9090/consoles/saam-operations.html
ops_check_console() {
  local start=$SECONDS dom plots screenshot="$SAAM_LOGS/operations-page.png" profile
  profile=$(mktemp -d)
  local chromium=(chromium --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage
    --no-first-run --user-data-dir="$profile" --window-size=1100,820 --virtual-time-budget=15000)
  while :; do
    dom=$("${chromium[@]}" --dump-dom "$OPS_CONSOLE_URL" 2>/dev/null)
    plots=$(grep -o 'id="[a-z]*" data-points="[0-9]*"' <<<"$dom" | sed 's/id="\([a-z]*\)" data-points="\([0-9]*\)"/\1=\2/' | tr '\n' ' ')
    if [ "$(grep -c '=[1-9]' <<<"${plots// /$'\n'}")" -eq 4 ]; then
      "${chromium[@]}" --screenshot="$screenshot" "$OPS_CONSOLE_URL" >/dev/null 2>&1
      rm -rf "$profile"
      [ -s "$screenshot" ] || { err "the operators' page drew but Chromium saved no screenshot"; return 1; }
      ok "operators' page: every plot has points (${plots% }); screenshot $screenshot"
      return 0
    fi
    if [ $((SECONDS - start)) -ge 90 ]; then
      rm -rf "$profile"
      err "the operators' page ($OPS_CONSOLE_URL) after 90 s: points per plot: ${plots:-none drawn}"
      return 1
    fi
    sleep 5
  done
}

# Stops the pipeline with a savepoint, backs the stack up, wipes every store (MongoDB starts empty,
# PostgreSQL's tables are truncated, the realm's accounts deleted, the saam-* indices deleted, the
# coaching topic emptied), restores, and checks every store holds what the backup's manifest says.
ops_backup_restore() {
  local backup="$SAAM_STATE/backups/ops-$1" before after manifest events empty
  jobs_stop "$PIPELINE_NAME" >/dev/null || { err "stop with a savepoint failed"; return 1; }
  before=$(java -jar "$(jar_of local-stack)" count-samples --locations "$homes")
  events=$(ops_es_count saam-coaching-events)
  backup_stack "$backup" >/dev/null || return 1
  manifest="$backup/MANIFEST.json"
  ok "backup $backup: $(jq -c '{mongo: .mongo.documents, postgres: .postgres.rows, keycloak_users: .keycloak.users, kafka: .kafka.records, elasticsearch: .elasticsearch.indices}' "$manifest")"

  stack_down mongo >/dev/null
  stack_up mongo >/dev/null
  after=$(java -jar "$(jar_of local-stack)" count-samples --locations "$homes")
  [ "$after" -eq 0 ] || { err "MongoDB restarted with $after samples; the test needs it empty"; return 1; }
  env PGPASSWORD="$SAAM_PG_PASSWORD" psql -h 127.0.0.1 -p 5432 -U postgres -d saam_users -qtA \
    -c "truncate assignments, locations, users, erasures cascade" >/dev/null ||
    { err "truncating PostgreSQL's tables failed"; return 1; }
  ops_delete_realm_users || return 1
  es_call DELETE "/$(jq -r '.elasticsearch.indices | join(",")' "$manifest")?ignore_unavailable=true" >/dev/null
  empty=$(mktemp)
  java -jar "$(jar_of local-stack)" restore-topic --topic "$BACKUP_TOPIC" --replace --from "$empty" \
    >/dev/null 2>&1 || { rm -f "$empty"; err "emptying topic $BACKUP_TOPIC failed"; return 1; }
  rm -f "$empty"
  ok "wiped: MongoDB restarted empty ($before samples lost), PostgreSQL truncated ($(pg_row_counts)), realm saam has $(ops_realm_users) accounts, indices deleted, $BACKUP_TOPIC emptied"

  restore_stack "$backup" >/dev/null || return 1
  after=$(java -jar "$(jar_of local-stack)" count-samples --locations "$homes")
  [ "$after" -eq "$before" ] || { err "after the restore $after samples, before the backup $before"; return 1; }
  [ "$(pg_row_counts | jq -S -c 'del(.flyway_schema_history)')" = "$(jq -S -c '.postgres.rows | del(.flyway_schema_history)' "$manifest")" ] ||
    { err "after the restore PostgreSQL holds $(pg_row_counts), the backup $(jq -c .postgres.rows "$manifest")"; return 1; }
  [ "$(ops_realm_users)" = "$(jq -r .keycloak.users "$manifest")" ] ||
    { err "after the restore realm saam has $(ops_realm_users) users, the backup $(jq -r .keycloak.users "$manifest")"; return 1; }
  [ "$(ops_es_count saam-coaching-events)" = "$events" ] ||
    { err "after the restore saam-coaching-events holds $(ops_es_count saam-coaching-events) events, before the backup $events"; return 1; }
  [ "$(ops_topic_records)" = "$(jq -r .kafka.records "$manifest")" ] ||
    { err "after the restore $BACKUP_TOPIC holds $(ops_topic_records) records, the backup $(jq -r .kafka.records "$manifest")"; return 1; }
  ok "restored: $after samples, PostgreSQL rows $(pg_row_counts | jq -c 'del(.flyway_schema_history)'), $(ops_realm_users) accounts, $events coaching events indexed, $(ops_topic_records) in Kafka, as in the backup"
}

# Documents of an Elasticsearch index (0 when it does not exist).
ops_es_count() {
  es_call POST "/$1/_refresh?ignore_unavailable=true" >/dev/null
  es_call GET "/$1/_count?ignore_unavailable=true" | jq -r '.count // 0'
}

# Records held by the coaching topic.
ops_topic_records() {
  local dump count
  dump=$(mktemp)
  count=$(java -jar "$(jar_of local-stack)" backup-topic --topic "$BACKUP_TOPIC" --out "$dump" 2>/dev/null)
  rm -f "$dump"
  printf '%s\n' "${count:-unknown}"
}

# Admin API token of Keycloak's master realm.
ops_keycloak_admin_token() {
  curl -fsS -d grant_type=password -d client_id=admin-cli \
    --data-urlencode "username=$SAAM_KEYCLOAK_ADMIN" --data-urlencode "password=$SAAM_KEYCLOAK_ADMIN_PASSWORD" \
    http://127.0.0.1:8180/realms/master/protocol/openid-connect/token | jq -r .access_token
}

# Deletes every account of realm saam except the clients' service accounts.
ops_delete_realm_users() {
  local token id
  token=$(ops_keycloak_admin_token)
  for id in $(curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:8180/admin/realms/saam/users?max=1000" |
    jq -r '.[] | select(.username | startswith("service-account-") | not) | .id'); do
    curl -fsS -X DELETE -H "Authorization: Bearer $token" "http://127.0.0.1:8180/admin/realms/saam/users/$id" ||
      { err "deleting account $id of realm saam failed"; return 1; }
  done
}

# Accounts of realm saam, through Keycloak's admin API.
ops_realm_users() {
  local token
  token=$(ops_keycloak_admin_token)
  curl -fsS -H "Authorization: Bearer $token" http://127.0.0.1:8180/admin/realms/saam/users/count
}

ops_kill() {
  local process="$1" pid
  pid=$(recorded_pid "$process") || { err "$process is not running"; return 1; }
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  ok "killed $process (PID $pid) with SIGKILL"
}

run_operations_test() {
  step "operations test: submit, savepoint, upgrade, a TaskManager killed, the whole cluster killed"
  ensure_packages chromium # the operators' page is checked in headless Chromium
  stack_up flink feature-views prometheus >/dev/null
  if [ -n "$(active_job_ids "$PIPELINE_NAME")" ]; then
    err "operations test skipped: a $PIPELINE_NAME job runs on this cluster (./saam jobs stop $PIPELINE_NAME first)"
    return 0
  fi
  if ops_scenario; then
    return 0
  fi
  # Leave no job of the test behind (the readings it would read are the test's own).
  [ -z "$(active_job_ids "$PIPELINE_NAME" 2>/dev/null)" ] || jobs_cancel "$PIPELINE_NAME" >/dev/null || true
  return 1
}

ops_scenario() {
  local base homes="" expected=0 published job_id savepoint publisher coached resident
  base="ops$(date +%s | tail -c 7)"
  coached="$base-p-"

  job_id=$(jobs_submit) || return 1
  ok "submitted $job_id"
  resident=$(ops_coached_resident "$coached") || return 1
  ok "person $resident lives at ${coached}0001"
  published=$(ops_publish_day "$base-a-" 2026-11-02) && [ -n "$published" ] || { err "publishing failed"; return 1; }
  expected=$((expected + published))
  published=$(ops_publish_coached "$coached" 1) && [ -n "$published" ] || { err "publishing failed"; return 1; }
  expected=$((expected + published))
  homes="$base-a-0001,${coached}0001"
  ops_wait_stored "$homes" "$expected" "first day, and the coached home until ${OPS_CUTS[0]}" 180 || return 1
  ops_check_metrics || return 1
  ops_check_console || return 1

  savepoint=$(jobs_savepoint "$PIPELINE_NAME" 2>/dev/null) || return 1
  [ -f "$savepoint/_metadata" ] || { err "the savepoint $savepoint has no _metadata"; return 1; }
  ok "savepoint $savepoint"

  job_id=$(jobs_upgrade "$PIPELINE_NAME") || { err "upgrade failed"; return 1; }
  published=$(ops_publish_day "$base-b-" 2026-11-03) && [ -n "$published" ] || { err "publishing failed"; return 1; }
  expected=$((expected + published))
  published=$(ops_publish_coached "$coached" 2) && [ -n "$published" ] || { err "publishing failed"; return 1; }
  expected=$((expected + published))
  homes="$homes,$base-b-0001"
  ops_wait_stored "$homes" "$expected" "second day, after the upgrade" 180 || return 1

  { ops_publish_day "$base-c-" 2026-11-04 && ops_publish_coached "$coached" 3; } \
    >"$SAAM_STATE/simulations/ops-third-day.count" &
  publisher=$!
  sleep 1
  ops_kill flink-taskmanager || return 1
  wait "$publisher" || { err "publishing the third day failed"; return 1; }
  [ "$(grep -c '^[0-9][0-9]*$' "$SAAM_STATE/simulations/ops-third-day.count")" = 2 ] ||
    { err "publishing the third day failed"; return 1; }
  published=$(($(paste -sd+ "$SAAM_STATE/simulations/ops-third-day.count")))
  expected=$((expected + published))
  homes="$homes,$base-c-0001"
  stack_up flink >/dev/null || return 1
  ok "./saam up flink started the TaskManager again"
  ops_wait_stored "$homes" "$expected" "third day, TaskManager killed mid-stream" 300 || return 1

  ops_kill flink-jobmanager || return 1
  ops_kill flink-taskmanager || return 1
  stack_up flink >/dev/null || return 1
  job_id=$(jobs_resume "$PIPELINE_NAME") || return 1
  ok "resumed as $job_id"
  published=$(ops_publish_day "$base-d-" 2026-11-05) && [ -n "$published" ] || { err "publishing failed"; return 1; }
  expected=$((expected + published))
  published=$(ops_publish_coached "$coached" 4) && [ -n "$published" ] || { err "publishing failed"; return 1; }
  expected=$((expected + published))
  homes="$homes,$base-d-0001"
  ops_wait_stored "$homes" "$expected" "fourth day, after the whole cluster was killed and resumed" 180 || return 1

  ops_backup_restore "$base" || return 1
  job_id=$(jobs_resume "$PIPELINE_NAME") || return 1
  ok "resumed as $job_id after the restore"
  published=$(ops_publish_day "$base-e-" 2026-11-06) && [ -n "$published" ] || { err "publishing failed"; return 1; }
  expected=$((expected + published))
  homes="$homes,$base-e-0001"
  ops_wait_stored "$homes" "$expected" "fifth day, after every store was wiped and restored" 180 || return 1

  # The job's own dependencies die while a day is published: Redis (the assignment cache and the
  # invalidation channel), then the user service. Each is started again; nothing may be lost.
  local dependency day=7
  for dependency in redis user-service; do
    ops_publish_day "$base-$dependency-" "2026-11-0$day" >"$SAAM_STATE/simulations/ops-$dependency.count" &
    publisher=$!
    sleep 1
    ops_kill "$dependency" || return 1
    sleep 5
    stack_up "$dependency" >/dev/null || return 1
    ok "./saam up $dependency started it again"
    wait "$publisher" || { err "publishing during the $dependency outage failed"; return 1; }
    published=$(cat "$SAAM_STATE/simulations/ops-$dependency.count")
    [ -n "$published" ] || { err "publishing during the $dependency outage failed"; return 1; }
    expected=$((expected + published))
    homes="$homes,$base-$dependency-0001"
    ops_wait_stored "$homes" "$expected" "a day while $dependency was killed and started again" 300 || return 1
    day=$((day + 1))
  done

  ops_check_coached "$resident" || return 1
  jobs_cancel "$PIPELINE_NAME" >/dev/null
  ok "operations test passed: $expected readings, each stored once"
}
