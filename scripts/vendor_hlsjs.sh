#!/usr/bin/env bash
# Refresh assets/vendor/hls.light.min.js from the npm registry (run by hand, never at run
# time: the wall is air-gapped and serves the file itself). hls.js is Apache-2.0; its licence
# is copied beside it.
#
# Why hls.js: camera streams (HLS) play in Chromium through Media Source Extensions, which
# hls.js feeds; the "light" build leaves out what a camera never sends (subtitles, alternate
# audio, DRM) and so is about a third smaller. No eval, no CDN: it runs under the app's CSP
# (media from blob:, the configured camera origins only; its web worker is not used).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
version="${1:-1.7.4}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "hls.js@${version}" >/dev/null && tar xzf ./*.tgz)
cp "$work/package/dist/hls.light.min.js" assets/vendor/hls.light.min.js
cp "$work/package/LICENSE" assets/vendor/hls.js.LICENSE
echo "assets/vendor/hls.light.min.js: hls.js@${version}"
