# Backups of the local stack: `./saam backup [dir]` and `./saam restore <dir>`. Sourced by ./saam.
#
# A backup folder holds one part per store, each in the store's own format so the store's own
# tools can read it:
#   mongo/saam/<collection>.bson + .metadata.json   mongodump's layout (mongorestore reads it)
#   postgres/saam_users.dump                         pg_dump custom format (pg_restore reads it)
#   keycloak/saam-realm.json                         kc.sh export of realm 'saam', users included
#   elasticsearch/                                   a filesystem snapshot repository of saam-*
#   kafka/saam.coaching-events.ndjson                every record with partition, offset, key
#   MANIFEST.json                                    when, from which commit, what each part holds
#
# The parts are taken one after the other, not at one instant (see the README's operators'
# section for what that guarantees). Keycloak is stopped for its export and import (its own guide
# requires it) and started again.

BACKUP_TOPIC="saam.coaching-events"
ES_URL="http://127.0.0.1:9200"

# Dies naming every component of LIST that is not running.
require_running() {
  local what="$1" c down=()
  shift
  for c in "$@"; do component_running "$c" || down+=("$c"); done
  [ ${#down[@]} -eq 0 ] || die "$what: ${down[*]} not running (./saam up ${down[*]})"
}

# Exact rows per table of saam_users, as a JSON object (not the statistics' estimates).
pg_row_counts() {
  env PGPASSWORD="$SAAM_PG_PASSWORD" psql -h 127.0.0.1 -p 5432 -U postgres -d saam_users -qtA -c \
    "select coalesce(json_object_agg(table_name, (xpath('/row/c/text()', query_to_xml(
       format('select count(*) as c from %I.%I', table_schema, table_name), false, true, '')))[1]::text::bigint), '{}')
     from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'"
}

es_call() {
  local method="$1" path="$2" body="${3:-}"
  if [ -n "$body" ]; then
    curl -sS -X "$method" "$ES_URL$path" -H 'Content-Type: application/json' -d "$body"
  else
    curl -sS -X "$method" "$ES_URL$path"
  fi
}

# A folder under Elasticsearch's path.repo, owned by the user the node runs as.
es_repo_dir() {
  local dir
  dir="$(es_home)/snapshots/$1"
  mkdir -p "$dir"
  is_root && chown -R "$SAAM_SERVICE_USER:$SAAM_SERVICE_USER" "$(es_home)/snapshots"
  printf '%s\n' "$dir"
}

es_register_repo() {
  local name="$1" location="$2" readonly="${3:-false}" answer
  answer=$(es_call PUT "/_snapshot/$name" \
    "{\"type\":\"fs\",\"settings\":{\"location\":\"$location\",\"readonly\":$readonly}}")
  jq -e '.acknowledged == true' <<<"$answer" >/dev/null ||
    die "elasticsearch: registering the snapshot repository failed: $answer (a node started before path.repo was configured needs a restart: ./saam down elasticsearch && ./saam up elasticsearch)"
}

backup_elasticsearch() {
  local out="$1" name repo answer
  name="saam-backup-$(date -u +%Y%m%d%H%M%S)"
  repo=$(es_repo_dir "$name")
  es_register_repo "$name" "$repo"
  answer=$(es_call PUT "/_snapshot/$name/saam?wait_for_completion=true" \
    '{"indices":"saam-*","include_global_state":false,"ignore_unavailable":true}')
  es_call DELETE "/_snapshot/$name" >/dev/null
  if [ "$(jq -r '.snapshot.state // empty' <<<"$answer")" != SUCCESS ]; then
    rm -rf "$repo"
    die "elasticsearch: the snapshot did not succeed: $answer"
  fi
  cp -a "$repo" "$out"
  rm -rf "$repo"
  jq -c '{indices: (.snapshot.indices | sort), shards: .snapshot.shards.successful}' <<<"$answer"
}

restore_elasticsearch() {
  local from="$1" name repo indices index answer
  name="saam-restore-$(date -u +%Y%m%d%H%M%S)"
  repo=$(es_repo_dir "$name")
  cp -a "$from/." "$repo/"
  is_root && chown -R "$SAAM_SERVICE_USER:$SAAM_SERVICE_USER" "$repo"
  es_register_repo "$name" "$repo" true
  indices=$(es_call GET "/_snapshot/$name/saam" | jq -r '.snapshots[0].indices[]?')
  # Closed, not deleted: a writer (the token log, the audit) cannot recreate a closed index before
  # the restore replaces it.
  for index in $indices; do
    es_call POST "/$index/_close?ignore_unavailable=true" >/dev/null
  done
  answer=$(es_call POST "/_snapshot/$name/saam/_restore?wait_for_completion=true" \
    '{"indices":"saam-*","include_global_state":false}')
  es_call DELETE "/_snapshot/$name" >/dev/null
  rm -rf "$repo"
  jq -e '.snapshot.shards.failed == 0' <<<"$answer" >/dev/null ||
    die "elasticsearch: the restore did not succeed: $answer"
  jq -c '{indices: (.snapshot.indices | sort), shards: .snapshot.shards.successful}' <<<"$answer"
}

# kc.sh export/import against Keycloak's own database, with Keycloak stopped and started again if
# it was running. Prints nothing; the log is keycloak-export.log / keycloak-import.log.
keycloak_offline() {
  local action="$1" dir="$2" was_running=0 java21 log="$SAAM_LOGS/keycloak-$1.log"
  shift 2
  java21=$(require_java21)
  if component_running keycloak; then
    was_running=1
    stop_keycloak
  fi
  local status=0
  env JAVA_HOME="$java21" "$(kc_home)/bin/kc.sh" "$action" --dir "$dir" "$@" \
    >"$log" 2>&1 || status=$?
  [ $was_running = 1 ] && stack_up keycloak >/dev/null
  [ $status = 0 ] || { tail -15 "$log" >&2; die "keycloak: kc.sh $action failed (log: $log)"; }
}

backup_stack() {
  local dir="${1:-$SAAM_STATE/backups/$(date -u +%Y%m%dT%H%M%SZ)}" mongo postgres keycloak es kafka
  if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
    die "backup: $dir exists and is not empty; name a new folder"
  fi
  require_running "backup" mongo postgres kafka elasticsearch
  ensure_built local-stack
  mkdir -p "$dir"/{postgres,keycloak,kafka}
  dir=$(cd "$dir" && pwd)
  step "backing up the local stack into $dir"

  mongo=$(java -jar "$(jar_of local-stack)" backup-mongo --out "$dir/mongo" 2>"$SAAM_LOGS/backup-mongo.log") ||
    { tail -5 "$SAAM_LOGS/backup-mongo.log" >&2; die "backup: MongoDB failed"; }
  ok "MongoDB: $mongo"

  env PGPASSWORD="$SAAM_PG_PASSWORD" "$(pg_bin pg_dump)" -h 127.0.0.1 -p 5432 -U postgres -Fc \
    -f "$dir/postgres/saam_users.dump" saam_users || die "backup: pg_dump failed"
  postgres=$(pg_row_counts)
  ok "PostgreSQL: saam_users.dump ($(du -h "$dir/postgres/saam_users.dump" | cut -f1))"

  keycloak_offline export "$dir/keycloak" --realm saam --users realm_file
  [ -s "$dir/keycloak/saam-realm.json" ] || die "backup: kc.sh export wrote no saam-realm.json"
  keycloak=$(jq -c '{users: ([.users[] | select(.serviceAccountClientId == null)] | length),
    service_accounts: ([.users[] | select(.serviceAccountClientId != null)] | length),
    clients: (.clients | length)}' "$dir/keycloak/saam-realm.json")
  ok "Keycloak realm saam: $keycloak"

  es=$(backup_elasticsearch "$dir/elasticsearch")
  ok "Elasticsearch snapshot: $es"

  kafka=$(java -jar "$(jar_of local-stack)" backup-topic --topic "$BACKUP_TOPIC" \
    --out "$dir/kafka/$BACKUP_TOPIC.ndjson" 2>"$SAAM_LOGS/backup-topic.log") ||
    { tail -5 "$SAAM_LOGS/backup-topic.log" >&2; die "backup: Kafka topic $BACKUP_TOPIC failed"; }
  ok "Kafka $BACKUP_TOPIC: $kafka records"

  jq -n --arg at "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --arg commit "$(git -C "$SAAM_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    --argjson mongo "$mongo" --argjson postgres "${postgres:-null}" --argjson keycloak "$keycloak" \
    --argjson elasticsearch "$es" --argjson kafka "$kafka" --arg topic "$BACKUP_TOPIC" \
    '{format: 1, taken_at: $at, commit: $commit,
      mongo: {database: "saam", documents: $mongo},
      postgres: {database: "saam_users", rows: $postgres},
      keycloak: ({realm: "saam"} + $keycloak),
      elasticsearch: $elasticsearch,
      kafka: {topic: $topic, records: $kafka}}' >"$dir/MANIFEST.json"
  ok "backup complete: $dir"
  printf '%s\n' "$dir"
}

restore_stack() {
  local dir="${1:-}" mongo es kafka
  [ -n "$dir" ] || die "usage: ./saam restore <backup folder>"
  [ -f "$dir/MANIFEST.json" ] || die "restore: $dir has no MANIFEST.json (not a folder ./saam backup wrote)"
  dir=$(cd "$dir" && pwd)
  require_running "restore" mongo postgres redis kafka elasticsearch
  if component_running flink && [ -n "$(active_job_ids "$PIPELINE_NAME" 2>/dev/null)" ]; then
    die "restore: $PIPELINE_NAME is running and would write over what is restored; ./saam jobs stop $PIPELINE_NAME first and ./saam jobs resume $PIPELINE_NAME after"
  fi
  ensure_built local-stack
  step "restoring the local stack from $dir (taken $(jq -r .taken_at "$dir/MANIFEST.json"))"

  mongo=$(java -jar "$(jar_of local-stack)" restore-mongo --from "$dir/mongo" 2>"$SAAM_LOGS/restore-mongo.log") ||
    { tail -5 "$SAAM_LOGS/restore-mongo.log" >&2; die "restore: MongoDB failed"; }
  ok "MongoDB: $mongo"

  env PGPASSWORD="$SAAM_PG_PASSWORD" "$(pg_bin pg_restore)" -h 127.0.0.1 -p 5432 -U postgres \
    -d saam_users --clean --if-exists --single-transaction "$dir/postgres/saam_users.dump" ||
    die "restore: pg_restore failed"
  # The user service's cache would answer from the state before the restore for up to an hour.
  local key deleted=0
  for key in $(redis-cli -h 127.0.0.1 -p 6379 --scan --pattern 'saam:loc:*') \
    $(redis-cli -h 127.0.0.1 -p 6379 --scan --pattern 'saam:user:*'); do
    redis-cli -h 127.0.0.1 -p 6379 del "$key" >/dev/null
    deleted=$((deleted + 1))
  done
  ok "PostgreSQL: saam_users restored; $deleted cached entries of the user service cleared"

  keycloak_offline import "$dir/keycloak" --override true
  ok "Keycloak realm saam: imported"

  es=$(restore_elasticsearch "$dir/elasticsearch")
  ok "Elasticsearch: $es"

  kafka=$(java -jar "$(jar_of local-stack)" restore-topic --topic "$BACKUP_TOPIC" --replace \
    --from "$dir/kafka/$BACKUP_TOPIC.ndjson" 2>"$SAAM_LOGS/restore-topic.log") ||
    { tail -5 "$SAAM_LOGS/restore-topic.log" >&2; die "restore: Kafka topic $BACKUP_TOPIC failed"; }
  ok "Kafka $BACKUP_TOPIC: $kafka records"
  ok "restore complete; ./saam jobs resume $PIPELINE_NAME continues the pipeline from its newest savepoint"
}
