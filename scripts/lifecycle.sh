# Job lifecycle on the local session cluster: submit once, cancel in any state, savepoint, stop
# with a savepoint, resume from the newest retained checkpoint or savepoint, upgrade to the
# current build with a way back. Sourced by ./saam after jobs.sh.
#
# What the cluster cannot tell after a restart is kept under .saam/data/flink/jobs/<name>/:
#   ids         every job id the name was submitted as (their checkpoints live under
#               .saam/data/flink/checkpoints/<id>/chk-<n>/)
#   savepoints  every savepoint taken of it, newest last
#   deployed.jar, deployed.args  the jar and arguments of the newest submission that started
#               (upgrade's way back)

FLINK_TERMINAL_STATES='["FINISHED","CANCELED","FAILED"]'

job_home() { printf '%s/flink/jobs/%s\n' "$SAAM_DATA" "$1"; }

# Job ids of NAME that have not ended (CREATED, RUNNING, RESTARTING, FAILING, CANCELLING, ...).
active_job_ids() {
  curl -fsS "$FLINK_REST/jobs/overview" |
    jq -r --arg name "$1" --argjson ended "$FLINK_TERMINAL_STATES" \
      '.jobs[] | select(.name == $name and (.state as $s | $ended | index($s) | not)) | .jid'
}

job_state() { curl -fsS "$FLINK_REST/jobs/$1" 2>/dev/null | jq -r '.state // "UNKNOWN"' || echo UNKNOWN; }

job_name_of() { curl -fsS "$FLINK_REST/jobs/$1" 2>/dev/null | jq -r '.name // empty'; }

# One active job from a job id or a name; dies saying what there is instead.
resolve_active_job() {
  local target="$1" ids count
  if [[ "$target" =~ ^[0-9a-f]{32}$ ]]; then
    local state
    state=$(job_state "$target")
    case "$state" in
      UNKNOWN) die "the cluster knows no job $target (see ./saam jobs list)" ;;
      FINISHED | CANCELED | FAILED) die "job $target has ended ($state); see ./saam jobs resume" ;;
    esac
    printf '%s\n' "$target"
    return 0
  fi
  ids=$(active_job_ids "$target")
  count=$(grep -c . <<<"$ids" || true)
  [ "$count" -ge 1 ] || die "no job named '$target' is running or restarting (see ./saam jobs list)"
  [ "$count" -eq 1 ] || die "$count jobs named '$target' have not ended: $(tr '\n' ' ' <<<"$ids")- name one by id"
  printf '%s\n' "$ids"
}

# Records a submission's job id: its checkpoints are where resume looks.
record_submission() {
  mkdir -p "$(job_home "$1")"
  printf '%s\n' "$2" >>"$(job_home "$1")/ids"
}

# Keeps a copy of the jar and the arguments of a submission that started: upgrade's way back.
record_deployed() {
  local name="$1" jar="$2" home
  shift 2
  home=$(job_home "$name")
  mkdir -p "$home"
  if [ "$jar" != "$home/deployed.jar" ]; then
    cp "$jar" "$home/deployed.jar.tmp" && mv "$home/deployed.jar.tmp" "$home/deployed.jar"
  fi
  if [ $# -gt 0 ]; then printf '%s\n' "$@"; fi >"$home/deployed.args"
}

# Waits for an asynchronous savepoint or stop; prints the savepoint's location.
await_savepoint() {
  local job_id="$1" trigger="$2" limit="${3:-300}" start=$SECONDS status body
  while :; do
    body=$(curl -fsS "$FLINK_REST/jobs/$job_id/savepoints/$trigger" 2>/dev/null || echo '{}')
    status=$(jq -r '.status.id // "UNKNOWN"' <<<"$body")
    if [ "$status" = COMPLETED ]; then
      if jq -e '.operation.location' <<<"$body" >/dev/null; then
        jq -r '.operation.location' <<<"$body" | sed 's|^file:||'
        return 0
      fi
      err "the savepoint of job $job_id failed: $(jq -r '.operation."failure-cause"."stack-trace" // "no reason given"' <<<"$body" | head -3)"
      return 1
    fi
    [ $((SECONDS - start)) -ge "$limit" ] && { err "no savepoint of job $job_id within ${limit}s"; return 1; }
    sleep 1
  done
}

# Triggers a savepoint of an active job through REST PATH (savepoints or stop) with BODY, waits
# for it, records it under the job's name and prints its location. Sets SAVEPOINT_JOB_ID and
# SAVEPOINT_JOB_NAME for the caller's messages.
trigger_savepoint() {
  local target="$1" path="$2" body="$3" what="$4" trigger location
  [ -n "$target" ] || die "usage: ./saam jobs $what <job-id|name>"
  flink_up
  SAVEPOINT_JOB_ID=$(resolve_active_job "$target")
  SAVEPOINT_JOB_NAME=$(job_name_of "$SAVEPOINT_JOB_ID")
  trigger=$(curl -fsS -X POST -H 'Content-Type: application/json' -d "$body" \
    "$FLINK_REST/jobs/$SAVEPOINT_JOB_ID/$path" | jq -r '.["request-id"]') ||
    die "the cluster refused to $what $SAVEPOINT_JOB_ID"
  say "$what of $SAVEPOINT_JOB_NAME ($SAVEPOINT_JOB_ID) requested" >&2
  location=$(await_savepoint "$SAVEPOINT_JOB_ID" "$trigger") || exit 1
  mkdir -p "$(job_home "$SAVEPOINT_JOB_NAME")"
  printf '%s\n' "$location" >>"$(job_home "$SAVEPOINT_JOB_NAME")/savepoints"
  SAVEPOINT_LOCATION="$location"
}

# ./saam jobs savepoint <job>: a savepoint; the job keeps running.
jobs_savepoint() {
  trigger_savepoint "${1:-}" savepoints '{"cancel-job":false}' savepoint
  ok "savepoint $SAVEPOINT_LOCATION" >&2
  printf '%s\n' "$SAVEPOINT_LOCATION"
}

# ./saam jobs stop <job>: a savepoint, then the job ends (FINISHED); prints the savepoint.
jobs_stop() {
  local waited=0
  trigger_savepoint "${1:-}" stop '{"drain":false}' stop
  while [ "$(job_state "$SAVEPOINT_JOB_ID")" != FINISHED ] && [ $waited -lt 60 ]; do
    sleep 1
    waited=$((waited + 1))
  done
  ok "$SAVEPOINT_JOB_NAME stopped; savepoint $SAVEPOINT_LOCATION" >&2
  printf '%s\n' "$SAVEPOINT_LOCATION"
}

# The newest place NAME can start from: a retained checkpoint of one of its job ids, or one of
# its savepoints, whichever was written last. Prints the directory, or nothing.
newest_restore_point() {
  local name="$1" home candidates=() id dir metadata
  home=$(job_home "$name")
  if [ -f "$home/ids" ]; then
    while read -r id; do
      for metadata in "$SAAM_DATA/flink/checkpoints/$id"/chk-*/_metadata; do
        [ -f "$metadata" ] && candidates+=("$metadata")
      done
    done <"$home/ids"
  fi
  if [ -f "$home/savepoints" ]; then
    while read -r dir; do
      [ -f "$dir/_metadata" ] && candidates+=("$dir/_metadata")
    done <"$home/savepoints"
  fi
  [ ${#candidates[@]} -gt 0 ] || return 0
  dirname "$(ls -t "${candidates[@]}" | head -1)"
}

# ./saam jobs resume [name]: start NAME again from its newest retained checkpoint or savepoint
# (after a crash, a cancel or a cluster restart), with its windows and baselines.
jobs_resume() {
  local name="${1:-$PIPELINE_NAME}" from job_id
  [ "$name" = "$PIPELINE_NAME" ] || die "only $PIPELINE_NAME is resumed (a backfill is run again)"
  shift || true
  flink_up
  [ -z "$(active_job_ids "$name")" ] || die "$name has not ended (see ./saam jobs list); nothing to resume"
  from=$(newest_restore_point "$name")
  [ -n "$from" ] || die "no retained checkpoint or savepoint of $name under $SAAM_DATA/flink; submit it afresh with ./saam jobs submit"
  say "resuming $name from $from" >&2
  job_id=$(SAAM_FROM_SAVEPOINT="$from" run_job_jar "$PIPELINE_CLASS" "$@") || exit 1
  wait_job_running "$job_id" 120 || die "$name did not start from $from"
  record_deployed "$name" "$(jar_of stream-jobs)" "$@"
  ok "$name runs again as job $job_id" >&2
  printf '%s\n' "$job_id"
}

# ./saam jobs upgrade [name]: stop with a savepoint, build, start the new jar from it and check it
# runs; if it does not, start the previous jar from the same savepoint and say so.
jobs_upgrade() {
  local name="${1:-$PIPELINE_NAME}" job_id location new_id old_jar reason
  [ "$name" = "$PIPELINE_NAME" ] || die "only $PIPELINE_NAME is upgraded"
  shift || true
  flink_up
  job_id=$(resolve_active_job "$name")
  [ "$(job_state "$job_id")" = RUNNING ] || die "$name is $(job_state "$job_id"); upgrade a running job (or cancel and resume)"
  old_jar="$(job_home "$name")/deployed.jar"
  [ -f "$old_jar" ] || die "no copy of the running build of $name (submitted before this version of ./saam); resubmit it once"
  step "building the new $name" >&2
  (cd "$SAAM_ROOT" && mvn -B -q package -DskipTests -pl stream-jobs -am >>"$SAAM_LOGS/build.log" 2>&1) ||
    die "the build failed (see $SAAM_LOGS/build.log); $name keeps running unchanged"
  location=$(jobs_stop "$job_id") || die "no savepoint: $name was not stopped and keeps running"
  step "starting the new build from $location" >&2
  if new_id=$(SAAM_FROM_SAVEPOINT="$location" run_job_jar "$PIPELINE_CLASS" "$@") &&
    wait_job_running "$new_id" 120; then
    record_deployed "$name" "$(jar_of stream-jobs)" "$@"
    ok "$name upgraded: job $new_id runs the new build from $location" >&2
    printf '%s\n' "$new_id"
    return 0
  fi
  reason="the new build did not start"
  if [ -n "${new_id:-}" ] && [ -z "$(jq -rn --arg s "$(job_state "$new_id")" --argjson e "$FLINK_TERMINAL_STATES" 'if ($e | index($s)) then "ended" else empty end')" ]; then
    curl -fsS -X PATCH "$FLINK_REST/jobs/$new_id?mode=cancel" >/dev/null || true
  fi
  step "$reason; starting the previous build again from $location" >&2
  local old_args=()
  [ -f "$(job_home "$name")/deployed.args" ] && mapfile -t old_args <"$(job_home "$name")/deployed.args"
  new_id=$(SAAM_FROM_SAVEPOINT="$location" SAAM_JOB_JAR="$old_jar" run_job_jar "$PIPELINE_CLASS" "${old_args[@]}") ||
    die "the previous build did not start either: start it by hand from $location"
  wait_job_running "$new_id" 120 || die "the previous build did not start either: see ./saam logs flink"
  err "$reason; $name runs the previous build again (job $new_id) from $location"
  exit 1
}

# Newest checkpoint directory of a job id, or '-'.
newest_checkpoint_of() {
  local newest
  newest=$(ls -td "$SAAM_DATA/flink/checkpoints/$1"/chk-* 2>/dev/null | while read -r d; do
    [ -f "$d/_metadata" ] && { printf '%s\n' "$d"; break; }
  done)
  printf '%s\n' "${newest:--}"
}
