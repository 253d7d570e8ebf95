#!/usr/bin/env bash
# Refresh tests/vendor/axe.min.js (axe-core, MPL-2.0) from the npm registry. Test-only:
# tests/browser/test_accessibility.py puts it into the page under test; the app never serves
# it. Run by hand (the test suite reads the committed file, air-gapped like the app).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
version="${1:-4.14.1}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "axe-core@${version}" >/dev/null && tar xzf ./*.tgz)
mkdir -p tests/vendor
cp "$work/package/axe.min.js" tests/vendor/axe.min.js
cp "$work/package/LICENSE" tests/vendor/axe.LICENSE
echo "tests/vendor/axe.min.js: axe-core@${version} (MPL-2.0)"
