#!/usr/bin/env bash
# bench/pg-churn.sh CHECKOUT ROUNDS: starts a fresh broker of CHECKOUT per round (pg-bench service on
# the test PostgreSQL, password from the environment, sslmode=require, session pool on) and runs
# pgbench -n -S -C -c 8 -j 2 -T 5 against it; a pgbench still running after 25 s is a stalled client
# ("STALL": the broker's metrics, a thread dump and its log are kept in the work directory printed
# at the end). Looks for hand-over races in the session pool: the cross-loop hand-back race fixed
# in b19a88b stalled 1 of 30 rounds before the fix, 0 of 60 after. Needs the test servers
# (scripts/test-servers.sh up) and the benchdb that bench/pg.sh creates.
dir=$1; n=$2
source "${SECRETLESS_TEST_STATE:-/tmp/secretless-test}/env.sh"
export BENCH_PG_PASSWORD=$SECRETLESS_IT_PG_SCRAM_PASSWORD
w=$(mktemp -d /tmp/stall.XXXX)
cat > $w/pg.yml <<YML
version: "2"
services:
  pg-bench:
    connector: pg
    listenOn: tcp://127.0.0.1:58290
    credentials:
      host: 127.0.0.1
      port: $SECRETLESS_IT_PG_PORT
      username: $SECRETLESS_IT_PG_SCRAM_USER
      password: { from: env, get: BENCH_PG_PASSWORD }
      sslmode: require
YML
for i in $(seq 1 $n); do
  "$dir/secretless" broker -f $w/pg.yml --admin-address 127.0.0.1:58291 > $w/broker.log 2>&1 &
  bpid=$!
  for _ in $(seq 1 100); do curl -fs http://127.0.0.1:58291/ready >/dev/null 2>&1 && break; sleep 0.2; done
  timeout 25 $SECRETLESS_IT_PG_BIN/pgbench -n -S -C -c 8 -j 2 -T 5 -h 127.0.0.1 -p 58290 benchdb > $w/pgb.out 2>&1
  rc=$?
  tps=$(grep -o "tps = [0-9.]*" $w/pgb.out | head -1)
  if [ $rc = 124 ]; then
    echo "iter $i: STALL"; jpid=$(pgrep -P $bpid java || echo $bpid)
    curl -s http://127.0.0.1:58291/metrics | grep -E "^secretless_(connections_active|pg_pool)" > $w/metrics.$i
    jcmd $jpid Thread.print > $w/threads.$i 2>&1
    cp $w/broker.log $w/broker.$i.log
  else
    echo "iter $i: ok $tps"
  fi
  kill $bpid; wait $bpid 2>/dev/null
done
echo "work dir $w"
