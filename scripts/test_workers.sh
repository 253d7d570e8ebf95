#!/usr/bin/env bash
# How many pytest-xdist workers `make test` runs when TEST_WORKERS is not given.
#
# The browser tests wait far more than they compute, so on a fast 2-core machine 4 workers
# (each with its Chromium and its live server) finish in about 11 minutes. On a slow one
# (session 9's machine: 1.2 s for the probe below, against 0.46 s) 4 workers starved one
# another and a dozen first-data waits ran out (docs/benchmarks.md, "Test suite"); 2 workers
# passed there. So: time one second's worth of pure Python on an idle core; under 0.8 s,
# twice the cores (at least 2, at most 4); else the number of cores (at least 1).
set -euo pipefail
cores="$(nproc 2>/dev/null || echo 2)"
python="${PYTHON:-python3}"
elapsed="$("$python" -c 'import time; t = time.perf_counter(); sum(range(3 * 10**7)); print(f"{time.perf_counter() - t:.3f}")')"
if "$python" -c "import sys; sys.exit(0 if float('$elapsed') < 0.8 else 1)"; then
    workers=$(( cores * 2 )); (( workers > 4 )) && workers=4; (( workers < 2 )) && workers=2
else
    workers=$cores; (( workers < 1 )) && workers=1
fi
echo "test_workers: probe ${elapsed} s on ${cores} cores: ${workers} workers" >&2
echo "$workers"
