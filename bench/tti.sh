#!/usr/bin/env bash
# Time to interactive on an emulated low-end phone (issue 19, item 2): the
# demo town served by the release `parley` (SQLite, page cache on as in
# production) and opened by Debian's Chromium through end2end/tti.mjs (CPU
# 4x slower, 1.6 Mbps down, 150 ms latency), PARLEY_TTI_RUNS times per page
# (3 by default), with the bundle's size as sent. Prints a Markdown section
# for bench/RESULTS.md. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${PARLEY_TTI_RUNS:-3}
parley=target/release/parley
[ -x "$parley" ] && [ -f target/site/pkg/parley.wasm ] \
    || { echo "tti: build the release first (make release)" >&2; exit 1; }
[ -x /usr/bin/chromium ] || { echo "tti: Debian's chromium is not installed (make bench installs it)" >&2; exit 1; }

dir=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$dir"' EXIT

. bench/parley.sh
seed_demo_town
serve_parley

echo "### Time to interactive on a low-end phone (issue 19, item 2)"
echo
echo "\`bench/tti.sh\` (in \`make bench\`): the demo town served by the release \`parley\`, each page opened $runs times"
echo "in a fresh Chromium context at 360 px, CPU 4× slower, 1.6 Mbps down, 750 kbps up, 150 ms latency (DevTools"
echo "protocol; \`end2end/tti.mjs\`). Content: \`<main>\` is in the document; interactive: the page has hydrated."
echo "Goal: interactive within 3 s; the bundle at most 250 KB with brotli."
echo
node end2end/tti.mjs "$base" "$runs" /en /ar/t/6 /en/drafts/1
echo
echo "### What the bundle is made of (issue 19, item 1)"
echo
echo "\`bench/wasm_size.py\` on the module cargo builds (\`target/front/…/app.wasm\`), before wasm-bindgen and"
echo "wasm-opt (which take the \`name\` section off and shrink the code by about a quarter): the code of each function"
echo "counted under the crate its name says (a blanket impl such as \`<T as tachys::view::Render>\` under the trait's"
echo "crate)."
echo
python3 bench/wasm_size.py target/front/wasm32-unknown-unknown/wasm-release/app.wasm 12
echo
