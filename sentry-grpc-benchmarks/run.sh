#!/usr/bin/env bash
# The sentry-grpc benchmarks. Run from anywhere:
#
#   sentry-grpc-benchmarks/run.sh build     # build target/benchmarks.jar from this checkout (no mvn install)
#   sentry-grpc-benchmarks/run.sh sanity    # each mode does what it says (a JVM per mode, ~15 s)
#   sentry-grpc-benchmarks/run.sh quick     # the whole matrix, 1 fork, short iterations (~8 min on 2 cores)
#   sentry-grpc-benchmarks/run.sh full      # the whole matrix, 2 forks, longer iterations (~30 min on 2 cores)
#   sentry-grpc-benchmarks/run.sh parts     # single SDK operations, for attributing costs (~5 min)
#   sentry-grpc-benchmarks/run.sh profile   # JFR on the sampled and errors-only unary paths (~2 min)
#   sentry-grpc-benchmarks/run.sh details   # failing calls with and without rich error details, next to OK ones (~6 min)
#   sentry-grpc-benchmarks/run.sh load      # open-loop load: latency, CPU, GC, drops per mode and rate (~9 min)
#   sentry-grpc-benchmarks/run.sh metrics   # RPC metrics: unary with and without them, and their parts (~8 min)
#   sentry-grpc-benchmarks/run.sh volume    # RPC metrics: points and bytes sent for 100,000 calls over 20 methods (~1 min)
#
# `load` takes LoadBenchmark's options instead of JMH's, e.g. `run.sh load --modes none,sampled-10
# --seconds 5`; it writes results/load-<time>/: results.tsv, table.md, load.log, env.txt.
#
# Extra arguments go to JMH, e.g. `run.sh quick -p mode=none,sampled`; a first extra argument that
# is not an option is a benchmark regex and replaces the default selection: `run.sh full UnaryInProcess`.
# Each run writes sentry-grpc-benchmarks/results/<what>-<time>/: jmh.log, results.csv, table.md
# (the tables of BENCHMARKS.md, from results.csv) and env.txt (machine, JDK, git commit, load).
# Do not run it while a build or another benchmark runs on the same machine: they share the cores.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
jar="$here/target/benchmarks.jar"
what="${1:-}"
shift || true

# The matrix: every RPC benchmark in every mode, and the sentry-floor.
matrix='dev.sentrygrpc.benchmarks.(UnaryInProcess|UnaryNetty|ServerStream|BidiPingPong|SentryFloor)\.'

build() {
  # The `benchmarks` profile adds this module to the reactor, so it builds against the core of this
  # checkout without installing anything into ~/.m2 (shared with other builds on the machine).
  (cd "$root" && mvn -B -q package -Pbenchmarks -pl sentry-grpc-benchmarks -am -DskipTests \
    -Dmaven.javadoc.skip=true -Dmaven.source.skip=true -Danimal.sniffer.skip=true)
}

need_jar() {
  if [ ! -f "$jar" ]; then
    echo "no $jar: building it first" >&2
    build
  fi
}

# Runs JMH with the given options; a benchmark regex among the extra arguments replaces $selection.
run_jmh() {
  local name="$1" selection="$2"
  shift 2
  local options=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do options+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  # What is left are the caller's extra JMH arguments; a first one that is not an option is a
  # benchmark regex and replaces the default selection.
  if [ $# -gt 0 ] && [[ "$1" != -* ]]; then
    selection="$1"
    shift
  fi
  local extra=("$@")
  # An option given by the caller replaces the default one (JMH refuses an option given twice).
  local kept=() i flag
  for ((i = 0; i < ${#options[@]}; i += 2)); do
    flag="${options[$i]}"
    if [ "$flag" = "-prof" ] || ! printf '%s\n' "${extra[@]+"${extra[@]}"}" | grep -qx -- "$flag"; then
      kept+=("$flag" "${options[$((i + 1))]}")
    fi
  done
  options=(${kept[@]+"${kept[@]}"})
  local out="$here/results/$name-$(date +%Y%m%d-%H%M%S)"
  mkdir -p "$out"
  {
    echo "date: $(date -Is)"
    echo "git: $(cd "$root" && git rev-parse HEAD 2>/dev/null) $(cd "$root" && git --no-optional-locks status --porcelain 2>/dev/null | grep -q . && echo '(working tree has changes)')"
    echo "nproc: $(nproc)"
    lscpu | head -20
    java -version 2>&1
    # ~/.m2 is shared: the jar shades whatever sentry-grpc core was installed there last.
    echo "core classes in the jar (md5 of dev/sentrygrpc/*.class): $(cd "$(mktemp -d)" && unzip -q "$jar" 'dev/sentrygrpc/*.class' -x 'dev/sentrygrpc/benchmarks/*' 'dev/sentrygrpc/testing/*' 'dev/sentrygrpc/testservice/*' && cat $(find dev -name '*.class' | sort) | md5sum | cut -d' ' -f1)"
    echo "load before: $(uptime)"
    echo "command: java -jar $jar '$selection' ${options[*]} ${extra[*]:-} -rf csv -rff $out/results.csv"
  } > "$out/env.txt"
  java -jar "$jar" "$selection" "${options[@]}" ${extra[@]+"${extra[@]}"} -rf csv -rff "$out/results.csv" 2>&1 | tee "$out/jmh.log"
  echo "load after: $(uptime)" >> "$out/env.txt"
  if [ -f "$out/results.csv" ]; then
    java -cp "$jar" dev.sentrygrpc.benchmarks.Report "$out/results.csv" > "$out/table.md" || true
    cat "$out/table.md"
  fi
  echo "results in $out"
}

case "$what" in
  build)
    build
    ;;
  sanity)
    need_jar
    java -cp "$jar" dev.sentrygrpc.benchmarks.Sanity "$@"
    ;;
  quick)
    need_jar
    run_jmh quick "$matrix" -f 1 -wi 3 -w 2s -i 4 -r 1s -prof gc -- "$@"
    ;;
  full)
    need_jar
    run_jmh full "$matrix" -f 2 -wi 4 -w 2s -i 5 -r 2s -prof gc -- "$@"
    ;;
  parts)
    need_jar
    run_jmh parts 'dev.sentrygrpc.benchmarks.(SdkParts|EncodeParts)\.' -f 1 -wi 2 -w 1s -i 3 -r 1s -prof gc -- "$@"
    ;;
  details)
    need_jar
    run_jmh details 'dev.sentrygrpc.benchmarks.(UnaryInProcess|UnaryFailing)\.' -f 2 -wi 3 -w 2s -i 5 -r 1s -prof gc \
      -p mode=none,sentry-disabled,errors-only,sampled -- "$@"
    ;;
  metrics)
    need_jar
    # The whole call with and without metrics (both interceptors), then the metrics' own path.
    run_jmh metrics-unary 'dev.sentrygrpc.benchmarks.UnaryInProcess\.' -f 2 -wi 4 -w 2s -i 5 -r 2s -prof gc \
      -p mode=none,errors-only,errors-only+metrics,sampled,sampled+metrics -- "$@"
    run_jmh metrics-parts 'dev.sentrygrpc.MetricsParts\.' -f 2 -wi 3 -w 1s -i 5 -r 1s -prof gc -- "$@"
    ;;
  volume)
    need_jar
    # Arguments: [calls=100000] [methods=20] [latency=lognormal|none] [intervalSeconds=10]
    java -Xmx1g -cp "$jar" dev.sentrygrpc.benchmarks.MetricsVolume "$@"
    ;;
  profile)
    need_jar
    out="$here/results/profile-$(date +%Y%m%d-%H%M%S)"
    mkdir -p "$out"
    java -jar "$jar" 'dev.sentrygrpc.benchmarks.(UnaryInProcess|SentryFloor)\.' -p mode=errors-only,sampled \
      -f 1 -wi 3 -w 3s -i 3 -r 4s -prof gc -prof "jfr:dir=$out;configName=profile" "$@" 2>&1 | tee "$out/jmh.log"
    echo "JFR recordings under $out (open with JDK Mission Control, or: jfr print --events jdk.ExecutionSample <file>)"
    ;;
  load)
    need_jar
    out="$here/results/load-$(date +%Y%m%d-%H%M%S)"
    mkdir -p "$out"
    {
      echo "date: $(date -Is)"
      echo "git: $(cd "$root" && git rev-parse HEAD 2>/dev/null) $(cd "$root" && git --no-optional-locks status --porcelain 2>/dev/null | grep -q . && echo '(working tree has changes)')"
      echo "nproc: $(nproc)"
      lscpu | head -20
      java -version 2>&1
      echo "load before: $(uptime)"
      echo "command: java -cp $jar dev.sentrygrpc.benchmarks.LoadBenchmark --out $out $*"
    } > "$out/env.txt"
    java -cp "$jar" dev.sentrygrpc.benchmarks.LoadBenchmark --out "$out" "$@" 2>&1 | tee "$out/load.log"
    echo "load after: $(uptime)" >> "$out/env.txt"
    echo "results in $out"
    ;;
  *)
    sed -n '2,22p' "$0"
    exit 2
    ;;
esac
