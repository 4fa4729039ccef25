#!/usr/bin/env bash
# What the per-day advisory lock adds to an activity write on PostgreSQL (docs/metrics.md,
# "Never stale"): the rollup upsert and the unsealing delete of activity::record, 20 of them
# per transaction, without and with the lock taken inside the upsert. Rounds alternate so
# that load on the machine falls on both; prints the median per write and the difference.
# Usage: bench/analytics/day_lock/run.sh [postgres server URL] [rounds] [seconds per round]
set -euo pipefail
cd "$(dirname "$0")"
server="${1:-postgres://postgres@127.0.0.1:5432}"
rounds="${2:-5}"
seconds="${3:-10}"
db="ts_bench_day_lock_$$"
psql "$server/postgres" -qc "CREATE DATABASE $db"
trap 'psql "$server/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
psql "$server/$db" -q -c "
  CREATE TABLE analytics_member_days (community_id TEXT NOT NULL, day BIGINT NOT NULL,
    user_id TEXT NOT NULL, month BIGINT NOT NULL, kinds BIGINT NOT NULL,
    activities BIGINT NOT NULL, posts BIGINT NOT NULL, reactions BIGINT NOT NULL,
    PRIMARY KEY (community_id, day, user_id));
  CREATE TABLE analytics_day_sets (community_id TEXT NOT NULL, day BIGINT NOT NULL,
    generation BIGINT NOT NULL, PRIMARY KEY (community_id, day));"

script() { # $1 = plain | locked
  local head values
  if [ "$1" = locked ]; then
    head="WITH day_lock AS (SELECT pg_advisory_xact_lock_shared(hashtext('c1'), CAST(20000 AS INTEGER)))"
    values="SELECT 'c1', 20000, 'u' || :uI, 657, 4, 1, 1, 0 FROM day_lock"
  else
    head=""
    values="VALUES ('c1', 20000, 'u' || :uI, 657, 4, 1, 1, 0)"
  fi
  for i in $(seq 1 20); do echo "\\set u$i random(1, 10000)"; done
  echo "BEGIN;"
  for i in $(seq 1 20); do
    echo "$head INSERT INTO analytics_member_days (community_id, day, user_id, month, kinds, activities, posts, reactions) ${values//uI/u$i} ON CONFLICT (community_id, day, user_id) DO UPDATE SET kinds = analytics_member_days.kinds | excluded.kinds, activities = analytics_member_days.activities + 1, posts = analytics_member_days.posts + excluded.posts, reactions = analytics_member_days.reactions + excluded.reactions;"
    echo "DELETE FROM analytics_day_sets WHERE community_id = 'c1' AND day = 20000;"
  done
  echo "COMMIT;"
}
tmp="$(mktemp -d)"
script plain > "$tmp/plain.sql"
script locked > "$tmp/locked.sql"
latency() { pgbench "$server/$db" -n -M prepared -c 1 -T "$seconds" -f "$tmp/$1.sql" 2>/dev/null |
  sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p'; }
latency plain >/dev/null # warm-up
plain=(); locked=()
for _ in $(seq 1 "$rounds"); do plain+=("$(latency plain)"); locked+=("$(latency locked)"); done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
p="$(median "${plain[@]}")"; l="$(median "${locked[@]}")"
echo "transactions of 20 writes, median of $rounds rounds of ${seconds}s: without the lock ${p} ms, with it ${l} ms"
awk -v p="$p" -v l="$l" 'BEGIN { printf "the day lock adds %.1f µs per write (%+.1f%% on the rollup statements)\n", (l - p) * 1000 / 20, (l - p) / p * 100 }'
rm -rf "$tmp"
