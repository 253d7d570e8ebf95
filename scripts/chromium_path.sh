#!/usr/bin/env bash
# Prints the path of the Chromium the browser tests drive: $CHROMIUM if set, else Debian's
# chromium (or Ubuntu's chromium-browser) on PATH. Exits 1, printing nothing, if none is found.
# Never downloads a browser (no `playwright install`).
set -euo pipefail

if [ -n "${CHROMIUM:-}" ]; then
    if [ -x "$CHROMIUM" ]; then echo "$CHROMIUM"; exit 0; fi
    echo "chromium_path: CHROMIUM=$CHROMIUM is not an executable" >&2
    exit 1
fi
for c in chromium chromium-browser; do
    if command -v "$c" >/dev/null 2>&1; then command -v "$c"; exit 0; fi
done
echo "chromium_path: no chromium on PATH (apt-get install chromium)" >&2
exit 1
