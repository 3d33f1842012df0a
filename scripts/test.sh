#!/usr/bin/env bash
# The test command: every unit, integration and CLI test, the Jira contract suite, then the
# doctests (nextest does not run doctests).
#
# The Jira contract suite (crates/jira-client/tests/contract) runs against the Stoplight Prism
# mock server serving Atlassian's official Cloud OpenAPI document. Its tests are `#[ignore]`d so
# that a plain `cargo test` passes on a machine with only Rust; this script runs them on purpose.
# It installs Prism from package.json and package-lock.json (npm ci), starts it on a free loopback
# port, waits until it answers, exports JIRA_PRISM_URL (and JIRA_PRISM_LOG, Prism's log) for the
# suite, runs the ignored tests of that one test binary, and stops Prism on exit. If Prism cannot
# be installed or started the script fails: the suite never silently skips.
#
# Then the HTML report is checked in a real browser: Debian's Chromium, headless, driven by
# playwright-core from the same package.json (crates/mcas2jira/tests/report/browser.rs, which
# runs scripts/browser-check.mjs). Its screenshots and the report are kept in
# target/browser-check/. Without Chromium the script fails, unless MCAS2JIRA_SKIP_BROWSER_CHECK=1
# says to skip the check, which it then says loudly. Chromium: $MCAS2JIRA_CHROMIUM, else
# /usr/bin/chromium, else `chromium` (or `chromium-browser`, `google-chrome`) on the PATH
# (Debian: `apt-get install chromium`).
set -euo pipefail
cd "$(dirname "$0")/.."

SPEC=contracts/jira/jira-cloud-platform.v3.prism.json
PRISM_WAIT_SECONDS=${PRISM_WAIT_SECONDS:-120}

die() {
    echo "scripts/test.sh: $*" >&2
    exit 1
}

command -v node >/dev/null || die "Node.js is needed for the Jira contract mock server (Prism); install Node.js 20 or later"
command -v npm >/dev/null || die "npm is needed to install the Jira contract mock server (Prism)"

# npm ci wipes and reinstalls node_modules, which takes a while; skip it when node_modules was
# installed from this very lock file.
lock_sum=$(cksum package-lock.json | cut -d' ' -f1,2)
stamp=node_modules/.installed-from-lock
if [[ ! -x node_modules/.bin/prism || ! -f $stamp || $(cat "$stamp") != "$lock_sum" ]]; then
    echo "== npm ci (Prism mock server for the Jira contract suite, playwright-core for the browser check)"
    npm ci --no-audit --no-fund --loglevel=error || die "npm ci failed"
    echo "$lock_sum" >"$stamp"
fi

# A free loopback port, chosen by the OS.
port=$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
log=$(mktemp "${TMPDIR:-/tmp}/prism.XXXXXX")

echo "== starting Prism on 127.0.0.1:$port (log: $log)"
# The local binary is started directly rather than through `npx`, so that the PID below is
# Prism's own process and the trap stops it rather than a wrapper.
node_modules/.bin/prism mock -h 127.0.0.1 -p "$port" "$SPEC" >"$log" 2>&1 &
prism_pid=$!
stop_prism() {
    if kill -0 "$prism_pid" 2>/dev/null; then
        kill "$prism_pid" 2>/dev/null || true
        wait "$prism_pid" 2>/dev/null || true
    fi
}
trap stop_prism EXIT
trap 'exit 130' INT TERM

# Prism needs about 20 s to load the document before it listens.
waited=0
until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    if ! kill -0 "$prism_pid" 2>/dev/null; then
        cat "$log" >&2
        die "Prism exited before it answered (its log is above)"
    fi
    if ((waited >= PRISM_WAIT_SECONDS)); then
        cat "$log" >&2
        die "Prism did not answer on 127.0.0.1:$port within ${PRISM_WAIT_SECONDS}s (its log is above)"
    fi
    sleep 1
    waited=$((waited + 1))
done
echo "== Prism answers after ${waited}s"
export JIRA_PRISM_URL="http://127.0.0.1:$port"
export JIRA_PRISM_LOG="$log"

status=0
cargo nextest run --workspace --no-fail-fast || status=$?
echo "== the Jira contract suite against Prism"
# The whole workspace (then the filter), so that the build is the one above, not a rebuild with
# jira-client's features alone.
cargo nextest run --workspace --run-ignored only -E 'binary_id(jira-client::contract)' --no-fail-fast || status=$?
cargo test --workspace --doc || status=$?

echo "== the HTML report in Chromium (target/browser-check/)"
chromium=${MCAS2JIRA_CHROMIUM:-/usr/bin/chromium}
if [[ ! -x $chromium ]]; then
    # Debian's name first; other systems ship the same browser under other names.
    chromium=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
fi
if [[ -n $chromium && -x $chromium ]]; then
    export MCAS2JIRA_CHROMIUM=$chromium
    cargo nextest run -p mcas2jira --test report --run-ignored only --no-fail-fast browser || status=$?
elif [[ ${MCAS2JIRA_SKIP_BROWSER_CHECK:-} == 1 ]]; then
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
    echo "!!! SKIPPED: the browser check of the HTML report (no Chromium; MCAS2JIRA_SKIP_BROWSER_CHECK=1)" >&2
    echo "!!! Install Chromium (Debian: apt-get install chromium) to run it." >&2
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
else
    echo "scripts/test.sh: Chromium is needed for the browser check of the HTML report (Debian: apt-get install chromium; or set MCAS2JIRA_CHROMIUM)." >&2
    echo "scripts/test.sh: to skip that check, knowingly, set MCAS2JIRA_SKIP_BROWSER_CHECK=1." >&2
    status=1
fi
if ((status == 0)); then
    rm -f "$log"
elif ! kill -0 "$prism_pid" 2>/dev/null; then
    echo "scripts/test.sh: Prism stopped during the tests; the end of its log ($log):" >&2
    tail -n 40 "$log" >&2
fi
exit "$status"
