# Benchmarks on the local stack (module benchmarks/, results in benchmarks/RESULTS.md). Sourced by
# ./saam.

run_bench() {
  local name="${1:-}"
  [ $# -gt 0 ] && shift
  case "$name" in
    e2e)
      if [ "${1:-}" = --ramp ]; then
        shift
        bench_ramp "$@"
      else
        bench_e2e "$@"
      fi ;;
    pipeline) bench_pipeline "$@" ;;
    state) bench_state "$@" ;;
    jmh) bench_jmh "$@" ;;
    views) bench_views "$@" ;;
    sink) bench_sink "$@" ;;
    chart) bench_chart ;;
    *) die "usage: ./saam bench e2e [--rate 10000] [--duration 60] [--job-args 'ARGS'] | pipeline [--homes 10] [--days 7] [--job-args 'ARGS'] | state [--homes 100] [--days 3] | sink [--homes 10] [--days 2] [--group-messages 40] | views [--readings 10000000] [--queries 200] | jmh [--quick] [REGEX] | chart (./saam bench <name> --help)" ;;
  esac
}

# Every component of the stack runs, as in production on one machine; the pipeline runs with the
# given job arguments (submitted for the run and cancelled after it) or is the one already running.
bench_e2e() {
  local args=() job_args=() given=0 submitted="" component pid processes=() out config rc=0 residents=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --job-args)
        [ $# -ge 2 ] || die "--job-args needs a value, for example --job-args '--rabbitmq.prefetch 5000'"
        read -r -a job_args <<<"$2"
        given=1
        shift 2 ;;
      --residents)
        [ $# -ge 2 ] || die "--residents needs a number of homes"
        args+=("$1" "$2")
        residents="$2"
        shift 2 ;;
      --help | -h)
        ensure_built benchmarks
        java -jar "$(jar_of benchmarks)" e2e --help
        say "  --job-args 'ARGS'  submit sensor-pipeline with these arguments for the run (none may be running)"
        return 0 ;;
      *) args+=("$1"); shift ;;
    esac
  done
  ensure_built benchmarks ingestion stream-jobs
  stack_up >/dev/null
  java -jar "$(jar_of ingestion)" topology >>"$SAAM_LOGS/rabbitmq.log" 2>&1 ||
    die "declaring the broker topology failed: see $SAAM_LOGS/rabbitmq.log"
  if [ -n "$(active_job_ids "$PIPELINE_NAME")" ]; then
    [ $given = 0 ] || die "$PIPELINE_NAME runs already; --job-args needs it stopped (./saam jobs stop $PIPELINE_NAME)"
    config=$(tr '\n' ' ' <"$(job_home "$PIPELINE_NAME")/deployed.args" 2>/dev/null || true)
  else
    submitted=$(jobs_submit "${job_args[@]}") || die "submitting $PIPELINE_NAME failed"
    config="${job_args[*]}"
  fi
  config="$(bench_commit); parallelism ${SAAM_JOB_PARALLELISM:-2}; ${config:-defaults}"
  for component in rabbitmq.beam mongo flink-jobmanager flink-taskmanager kafka redis user-service \
    elasticsearch keycloak postgres; do
    pid=$(recorded_pid "$component") && processes+=(--process "${component%.beam}=$pid")
  done
  bench_wait_queue_empty || return 1
  out=$(bench_result_file e2e)
  step "e2e benchmark ($config)"
  # Residents are created by an administrator of the local realm (its demo account).
  if [ "$residents" != 0 ]; then
    SAAM_BENCH_ADMIN_TOKEN=$(demo_token admin userapi) || die "no administrator token for --residents"
    export SAAM_BENCH_ADMIN_TOKEN
  fi
  java -jar "$(jar_of benchmarks)" e2e "${args[@]}" "${processes[@]}" --config "$config" \
    --out "$out" --results-md "${SAAM_BENCH_RESULTS:-$SAAM_ROOT/benchmarks/RESULTS.md}" || rc=$?
  if [ -n "$submitted" ]; then
    jobs_cancel "$PIPELINE_NAME" >/dev/null || err "cancelling the benchmark's $PIPELINE_NAME failed"
  fi
  bench_chart || rc=1
  return $rc
}

# ./saam bench e2e --ramp: e2e runs at rising rates until one is not held; the highest rate held
# is the result. Held: nothing lost, p99 within the bound, the backlog drained within 10 s of the
# end of publishing (it did not grow during the run) and the stored rate at least 97 % of the offered.
bench_ramp() {
  local from=5000 step=5000 max=60000 duration=300 warmup=30 p99_limit=1000 rate held="" json previous verdict out
  local pass=() runs=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --from) from="$2"; shift 2 ;;
      --step) step="$2"; shift 2 ;;
      --max) max="$2"; shift 2 ;;
      --duration) duration="$2"; shift 2 ;;
      --warmup) warmup="$2"; shift 2 ;;
      --p99-ms) p99_limit="$2"; shift 2 ;;
      --help | -h)
        say "usage: ./saam bench e2e --ramp [--from 5000] [--step 5000] [--max 60000] [--duration 300] [--warmup 30] [--p99-ms 1000] [e2e options]"
        return 0 ;;
      *) pass+=("$1"); shift ;;
    esac
  done
  [[ "$from" =~ ^[0-9]+$ && "$step" =~ ^[0-9]+$ && "$max" =~ ^[0-9]+$ && "$duration" =~ ^[0-9]+$ && "$warmup" =~ ^[0-9]+$ && "$p99_limit" =~ ^[0-9]+$ ]] ||
    die "--from, --step, --max, --duration, --warmup and --p99-ms take whole numbers"
  [ "$step" -gt 0 ] || die "--step must be positive"
  rate=$from
  while [ "$rate" -le "$max" ]; do
    step "ramp: $rate readings/s for $duration s (held so far: ${held:-none})"
    previous=$(ls -t "${SAAM_BENCH_OUT_DIR:-$SAAM_ROOT/benchmarks/results}"/e2e-*.json 2>/dev/null | head -1)
    # A run that loses readings exits 1; the verdict below says so.
    bench_e2e --rate "$rate" --duration "$duration" --warmup "$warmup" "${pass[@]}" || true
    json=$(ls -t "${SAAM_BENCH_OUT_DIR:-$SAAM_ROOT/benchmarks/results}"/e2e-*.json 2>/dev/null | head -1)
    [ -n "$json" ] && [ "$json" != "$previous" ] || die "the e2e run at $rate readings/s wrote no result"
    verdict=$(jq -r --argjson p99 "$p99_limit" --argjson rate "$rate" '
      if .loss != 0 then "lost \(.loss) readings"
      elif (.latency_ms.p99 // 1e9) > $p99 then "p99 \(.latency_ms.p99) ms over \($p99) ms"
      elif (.drain_s // 1e9) > 10 then "backlog: \(.drain_s) s to drain after publishing"
      elif (.stored_rate // 0) < 0.97 * $rate then "stored \(.stored_rate)/s of \($rate)/s"
      else "held" end' "$json")
    runs+=("{\"rate\": $rate, \"result\": \"$(basename "$json")\", \"verdict\": \"$verdict\"}")
    if [ "$verdict" != held ]; then
      say "  not held at $rate readings/s: $verdict"
      break
    fi
    ok "held $rate readings/s"
    held=$rate
    rate=$((rate + step))
  done
  out=$(bench_result_file ramp)
  printf '{"bench": "ramp", "date": "%s", "criteria": {"duration_s": %s, "warmup_s": %s, "p99_ms": %s, "drain_s": 10, "stored_share": 0.97}, "highest_held": %s, "runs": [%s]}\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$duration" "$warmup" "$p99_limit" "${held:-null}" "$(IFS=,; echo "${runs[*]}")" | jq . >"$out"
  printf '\n**Ramp %s**: highest rate held for %s s with p99 under %s ms: %s readings/s (%s).\n' \
    "$(date -u +%Y-%m-%d)" "$duration" "$p99_limit" "${held:-none}" "$(basename "$out")" |
    results_add "${SAAM_BENCH_RESULTS:-$SAAM_ROOT/benchmarks/RESULTS.md}" \
      '<!-- runs appended by ./saam bench -->' Runs "$RUNS_HEADER"
  ok "highest rate held: ${held:-none} readings/s ($out)"
}

# One PNG of every recorded e2e and pipeline run of the results folder (results/runs.png).
bench_chart() {
  local dir="${SAAM_BENCH_OUT_DIR:-$SAAM_ROOT/benchmarks/results}"
  ensure_built benchmarks
  java -Djava.awt.headless=true -cp "$(jar_of benchmarks)" org.saam.bench.BenchCommand chart \
    --results "$dir" --out "$dir/runs.png"
}

# "commit <short hash>", "+uncommitted" when the tree differs (results and RESULTS.md aside).
bench_commit() {
  printf 'commit %s' "$(git -C "$SAAM_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  git -C "$SAAM_ROOT" diff --quiet HEAD -- . ':!benchmarks/RESULTS.md' ':!benchmarks/results' 2>/dev/null ||
    printf '+uncommitted'
}

# Where a run of benchmark NAME writes its JSON result.
bench_result_file() {
  printf '%s/%s-%s.json' "${SAAM_BENCH_OUT_DIR:-$SAAM_ROOT/benchmarks/results}" "$1" "$(date -u +%Y%m%dT%H%M%SZ)"
}

# The benchmarks' CLI in one JVM with Flink's class path (the local stack's): JVM flags, --, then
# the CLI's arguments.
bench_with_flink() {
  local jvm=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do jvm+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  # shellcheck disable=SC2086 # FLINK_JAVA_OPTS is a list of JVM flags
  java $FLINK_JAVA_OPTS "${jvm[@]}" -Xmx${SAAM_BENCH_HEAP:-3g} -Dlog4j2.level=ERROR \
    -cp "$(jar_of benchmarks):$(classpath_of flink)" org.saam.bench.BenchCommand "$@"
}

# The Flink job alone, in one JVM with Flink's own class path (the local stack's): no server runs.
bench_pipeline() {
  local args=() out config
  case "${1:-}" in
    --help | -h)
      ensure_built benchmarks
      java -cp "$(jar_of benchmarks)" org.saam.bench.BenchCommand pipeline --help
      return 0 ;;
  esac
  args=("$@")
  ensure_built benchmarks
  config="$(bench_commit); ${args[*]:-defaults}"
  out=$(bench_result_file pipeline)
  step "pipeline benchmark ($config)"
  # SAAM_BENCH_JFR=1: a Java Flight Recorder profile next to the result (jfr view hot-methods X.jfr)
  local profile=()
  [ -z "${SAAM_BENCH_JFR:-}" ] || profile=("-XX:StartFlightRecording=filename=${out%.json}.jfr,settings=profile")
  bench_with_flink "${profile[@]}" -- pipeline "${args[@]}" --config "$config" --out "$out" \
    --results-md "${SAAM_BENCH_RESULTS:-$SAAM_ROOT/benchmarks/RESULTS.md}" || return 1
  bench_chart
}

# Checkpointed state per resident home after each simulated day: the job on RocksDB in one JVM.
bench_state() {
  local out config
  case "${1:-}" in
    --help | -h)
      ensure_built benchmarks
      java -cp "$(jar_of benchmarks)" org.saam.bench.BenchCommand state --help
      return 0 ;;
  esac
  ensure_built benchmarks
  config="$(bench_commit); ${*:-defaults}"
  out=$(bench_result_file state)
  step "state benchmark ($config)"
  bench_with_flink -- state "$@" --config "$config" --out "$out" \
    --results-md "${SAAM_BENCH_RESULTS:-$SAAM_ROOT/benchmarks/RESULTS.md}" || return 1
}

# The measurement sink alone into the MongoDB-wire server, in one JVM with Flink's class path.
bench_sink() {
  local out config
  case "${1:-}" in
    --help | -h)
      ensure_built benchmarks
      java -jar "$(jar_of benchmarks)" sink --help
      return 0 ;;
  esac
  ensure_built benchmarks
  stack_up mongo >/dev/null
  config="$(bench_commit); MongoDB stand-in (mongo-java-server, memory); ${*:-defaults}"
  out=$(bench_result_file sink)
  step "sink benchmark ($config)"
  bench_with_flink -- sink "$@" --config "$config" --out "$out" \
    --results-md "${SAAM_BENCH_RESULTS:-$SAAM_ROOT/benchmarks/RESULTS.md}"
}

# Query latency of feature-views over many stored readings (loaded in bulk, removed after), as
# the data scientists' demo account asks.
bench_views() {
  local out config token
  case "${1:-}" in
    --help | -h)
      ensure_built benchmarks
      java -jar "$(jar_of benchmarks)" views --help
      return 0 ;;
  esac
  ensure_built benchmarks
  stack_up mongo keycloak feature-views >/dev/null
  token=$(demo_token data-scientist sensorapi) || return 1
  config="$(bench_commit); MongoDB stand-in (mongo-java-server, memory); ${*:-defaults}"
  out=$(bench_result_file views)
  step "views benchmark ($config)"
  SAAM_BENCH_TOKEN="$token" java -jar "$(jar_of benchmarks)" views "$@" --config "$config" --out "$out" \
    --results-md "${SAAM_BENCH_RESULTS:-$SAAM_ROOT/benchmarks/RESULTS.md}"
}

# JMH micro-benchmarks of the codec, the catalogue checks and every feature function. --quick: one
# short iteration in this JVM (the test run's smoke check; no figure worth recording).
bench_jmh() {
  local quick=0 filter=() out settings commit
  while [ $# -gt 0 ]; do
    case "$1" in
      --quick) quick=1; shift ;;
      --help | -h) say "usage: ./saam bench jmh [--quick] [REGEX]   (REGEX selects benchmarks, e.g. Codec)"; return 0 ;;
      *) filter+=("$1"); shift ;;
    esac
  done
  ensure_built benchmarks
  out=$(bench_result_file jmh)
  mkdir -p "$(dirname "$out")"
  if [ $quick = 1 ]; then settings=(-f 0 -wi 0 -i 1 -r 100ms); else settings=(); fi
  step "JMH micro-benchmarks${filter[*]:+ matching ${filter[*]}}"
  java -cp "$(jar_of benchmarks)" org.openjdk.jmh.Main "${settings[@]}" -foe true -rf json -rff "$out" "${filter[@]}" ||
    { err "JMH failed"; return 1; }
  commit="$(git -C "$SAAM_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  jmh_rows "$out" "$commit$([ $quick = 1 ] && echo ', quick')"
  ok "results: $out"
}

# Adds the lines on standard input at the end of the section of results file $1 that holds the
# marker $2 (before the next "## " heading), so each table keeps its own rows whatever follows it;
# without the marker, appends "## $3", the marker, the header $4 and the lines at the end.
results_add() {
  local file="$1" marker="$2" heading="$3" header="$4" rows
  rows=$(cat)
  [ -f "$file" ] || : >"$file"
  if ! grep -qF -- "$marker" "$file"; then
    printf '\n## %s\n\n%s\n%s%s\n' "$heading" "$marker" "$header" "$rows" >>"$file"
    return 0
  fi
  MARKER="$marker" ROWS="$rows" awk '
    function flush_rows() { if (inside && !done) { print ENVIRON["ROWS"]; done = 1 } }
    /^[[:space:]]*$/ { blanks = blanks $0 "\n"; next }
    /^## / && inside { flush_rows() }
    { printf "%s", blanks; blanks = ""; print; if (index($0, ENVIRON["MARKER"])) inside = 1 }
    END { flush_rows(); printf "%s", blanks }
  ' "$file" >"$file.new" && mv "$file.new" "$file"
}

JMH_HEADER=$'| date | benchmark | mode | score | error (99.9 %) | unit | run |\n|---|---|---|---|---|---|---|\n'
RUNS_HEADER=$'| date | bench | offered/s | published/s | stored/s | p50 ms | p95 ms | p99 ms | max ms | loss | pipeline config |\n|---|---|---|---|---|---|---|---|---|---|---|\n'

# Rows of the micro-benchmark table of RESULTS.md, added to its own section.
jmh_rows() {
  local json="$1" note="$2" results="${SAAM_BENCH_RESULTS:-$SAAM_ROOT/benchmarks/RESULTS.md}"
  jq -r --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg note "$note" '.[] |
    "| \($date) | \(.benchmark | sub("org.saam.bench.jmh."; "")) | \(.mode) | \(.primaryMetric.score * 10 | round / 10) | \(.primaryMetric.scoreError | if type == "number" then (. * 10 | round / 10) else "-" end) | \(.primaryMetric.scoreUnit) | \($note) |"' "$json" |
    results_add "$results" '<!-- jmh runs appended by ./saam bench jmh -->' 'Micro-benchmark runs (JMH)' "$JMH_HEADER"
}

# The test run keeps the benchmarks from rotting: each runs briefly at a tiny size, and must finish
# with no reading lost. Speed is not judged here (RESULTS.md records measured runs).
run_bench_smoke() {
  step "benchmarks, briefly (no speed asserted)"
  # (started is run_tests's list of what the run started and stops again)
  for c in "${ALL_COMPONENTS[@]}"; do component_running "$c" || started+=("$c"); done
  SAAM_BENCH_OUT_DIR="$SAAM_LOGS/bench" SAAM_BENCH_RESULTS="$SAAM_LOGS/bench/RESULTS.md" \
    bench_e2e --rate 500 --duration 5 --drain-timeout 120 --residents 1 || { err "the e2e benchmark failed"; return 1; }
  ok "e2e benchmark ran: $(jq -c '{published, stored, loss, latency_ms}' "$(ls -t "$SAAM_LOGS"/bench/e2e-*.json | head -1)")"
  SAAM_BENCH_OUT_DIR="$SAAM_LOGS/bench" SAAM_BENCH_RESULTS="$SAAM_LOGS/bench/RESULTS.md" \
    bench_ramp --from 200 --step 200 --max 400 --duration 3 --warmup 1 --p99-ms 60000 --drain-timeout 120 ||
    { err "the e2e ramp failed"; return 1; }
  ok "e2e ramp ran: $(jq -c '{highest_held, runs: [.runs[].verdict]}' "$(ls -t "$SAAM_LOGS"/bench/ramp-*.json | head -1)")"
  SAAM_BENCH_OUT_DIR="$SAAM_LOGS/bench" SAAM_BENCH_RESULTS="$SAAM_LOGS/bench/RESULTS.md" \
    bench_sink --homes 1 --days 1 || { err "the sink benchmark failed"; return 1; }
  ok "sink benchmark ran: $(jq -c '{readings, groups, readings_per_second, loss}' "$(ls -t "$SAAM_LOGS"/bench/sink-*.json | head -1)")"
  SAAM_BENCH_OUT_DIR="$SAAM_LOGS/bench" SAAM_BENCH_RESULTS="$SAAM_LOGS/bench/RESULTS.md" \
    bench_views --readings 20000 --days 2 --queries 5 || { err "the views benchmark failed"; return 1; }
  ok "views benchmark ran: $(jq -c '.latency_ms | map_values(.p99)' "$(ls -t "$SAAM_LOGS"/bench/views-*.json | head -1)")"
  SAAM_BENCH_OUT_DIR="$SAAM_LOGS/bench" SAAM_BENCH_RESULTS="$SAAM_LOGS/bench/RESULTS.md" \
    bench_pipeline --homes 1 --days 1 || { err "the pipeline benchmark failed"; return 1; }
  ok "pipeline benchmark ran: $(jq -c '{readings, readings_per_second, loss, written}' "$(ls -t "$SAAM_LOGS"/bench/pipeline-*.json | head -1)")"
  SAAM_BENCH_OUT_DIR="$SAAM_LOGS/bench" SAAM_BENCH_RESULTS="$SAAM_LOGS/bench/RESULTS.md" \
    bench_state --homes 2 --days 2 || { err "the state benchmark failed"; return 1; }
  ok "state benchmark ran: $(jq -c '[.days[] | {day, state_kib_per_home}]' "$(ls -t "$SAAM_LOGS"/bench/state-*.json | head -1)")"
  SAAM_BENCH_OUT_DIR="$SAAM_LOGS/bench" SAAM_BENCH_RESULTS="$SAAM_LOGS/bench/RESULTS.md" \
    bench_jmh --quick >"$SAAM_LOGS/bench/jmh.log" 2>&1 || { err "the JMH benchmarks failed (log: $SAAM_LOGS/bench/jmh.log)"; return 1; }
  ok "JMH benchmarks ran: $(jq length "$(ls -t "$SAAM_LOGS"/bench/jmh-*.json | head -1)") benchmarks"
}

# Messages in the readings queue (ready and unacknowledged).
readings_queue_depth() {
  curl -fsS -u "$SAAM_RABBITMQ_USER:$SAAM_RABBITMQ_PASSWORD" \
    "http://127.0.0.1:15672/api/queues/%2F/saam.readings" | jq -r '.messages // 0'
}

# A run measures only its own load: what an earlier run (or anything else) left in the readings
# queue is drained by the pipeline first, for at most 5 minutes.
bench_wait_queue_empty() {
  local start=$SECONDS depth
  while :; do
    depth=$(readings_queue_depth) || { err "cannot read the depth of saam.readings"; return 1; }
    [ "$depth" -eq 0 ] && { [ $((SECONDS - start)) -eq 0 ] || printf '\n' >&2; return 0; }
    if [ $((SECONDS - start)) -ge 300 ]; then
      printf '\n' >&2
      err "saam.readings still holds $depth messages after 5 minutes; a benchmark needs it empty (is $PIPELINE_NAME running? ./saam jobs list)"
      return 1
    fi
    printf '\r  waiting for saam.readings to drain before the run: %s messages ' "$depth" >&2
    sleep 2
  done
}
