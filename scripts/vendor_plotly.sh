#!/usr/bin/env bash
# Refresh assets/vendor/plotly-finance.min.js from the npm registry (run by hand, never at
# run time: the wall is air-gapped and serves the file itself).
#
# Why this bundle: dcc.Graph uses window.Plotly when a script has defined it, and loads the
# full plotly.min.js (4.8 MB, every trace type) only when none has. Our screens draw bar,
# scatter, pie and indicator traces (figures/); plotly.js's "finance" partial bundle has all
# four in 1.3 MB. A figure with another trace type would draw nothing: add its bundle here.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
version="${1:-4.1.0}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "plotly.js-finance-dist-min@${version}" >/dev/null && tar xzf ./*.tgz)
cp "$work/package/plotly-finance.min.js" assets/vendor/plotly-finance.min.js
cp "$work/package/LICENSE" assets/vendor/plotly-finance.LICENSE
echo "assets/vendor/plotly-finance.min.js: plotly.js-finance-dist-min@${version}"
