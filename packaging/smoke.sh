#!/usr/bin/env bash
# Smoke check of the one-folder build, run from a temporary copy with no source tree beside it.
#
#   packaging/smoke.sh [APP_DIR]      # default: packaging/dist/gpu-site-planner
#
# Checks, in order: `planner --version`; the bundle self-check (every bundled library finds
# its data files); `planner sites list --json`; `planner optimize` on the bundled example
# writing CSV, HTML and PDF; `planner gui --screenshot`.
# Commands listed in SMOKE_REQUIRE (default: "sites optimize gui") must be built; any other
# command that still says "not built yet" is reported as skipped. Exits 0 when every check
# that ran passed, 1 otherwise.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="${1:-$here/dist/gpu-site-planner}"
require=" ${SMOKE_REQUIRE-sites optimize gui} "
[ -x "$src/planner" ] || { echo "error: no built application at $src (run packaging/build.sh)" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -a "$src" "$work/app"
cd "$work"
# A clean, headless environment: nothing from a virtual environment or the user's settings.
unset PYTHONPATH PYTHONHOME VIRTUAL_ENV PROJ_DATA PROJ_LIB GDAL_DATA
export QT_QPA_PLATFORM=offscreen HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" \
    XDG_CACHE_HOME="$work/home/.cache" MPLCONFIGDIR="$work/home/.mpl"
mkdir -p "$HOME"
planner="$work/app/planner"
failures=0

pass() { printf 'ok    %s\n' "$1"; }
fail() { printf 'FAIL  %s\n' "$1"; [ -s "$work/err" ] && sed 's/^/      /' "$work/err" | tail -20; failures=$((failures + 1)); }
skip() { printf 'skip  %s\n' "$1"; }

# True when `planner CMD... --help` works and the command is not a "not built yet" stub.
built() {
    local help
    help="$("$planner" "$@" --help 2>/dev/null)" || return 1
    ! grep -qi "not built yet" <<<"$help"
}

# Runs a check when the command is built; a required command that is not built fails.
gate() {
    local cmd="$1" label="$2"
    shift 2
    if built "$@"; then
        return 0
    elif [[ "$require" == *" $cmd "* ]]; then
        : >"$work/err"
        fail "$label: the command is not built, but SMOKE_REQUIRE lists it"
    else
        skip "$label: not built yet"
    fi
    return 1
}

is_json() {
    # The system interpreter, isolated from any project or virtual environment; skipped if absent.
    if command -v python3 >/dev/null; then python3 -I -c 'import json, sys; json.load(sys.stdin)'; else cat >/dev/null; fi
}

# 1. Version, and the start-up time of the frozen executable.
start=$(date +%s.%N)
if out="$("$planner" --version 2>"$work/err")" && [[ "$out" == "planner, version "* ]]; then
    end=$(date +%s.%N)
    pass "planner --version -> '$out' in $(awk "BEGIN {printf \"%.2f\", $end - $start}") s"
else
    fail "planner --version (got '$out')"
fi

# 2. Bundled libraries and data.
if PLANNER_BUNDLE_SELFCHECK=1 "$planner" >"$work/selfcheck.json" 2>"$work/err"; then
    pass "bundle self-check (data, CLI commands, PROJ, GDAL, HiGHS, fonts, PDF, XLSX, Qt)"
else
    cat "$work/selfcheck.json" >>"$work/err"
    fail "bundle self-check"
fi

# 3. The site catalog as JSON.
if gate sites "planner sites list --json" sites list; then
    if "$planner" sites list --json >"$work/sites.json" 2>"$work/err" && is_json <"$work/sites.json" 2>>"$work/err"; then
        pass "planner sites list --json ($(grep -c '"site_id"' "$work/sites.json") sites)"
    else
        fail "planner sites list --json"
    fi
fi

# 4. The bundled example in batch mode, with its report.
if gate optimize "planner optimize" optimize; then
    out_dir="$work/results"
    start=$(date +%s)
    if "$planner" optimize --out "$out_dir" --format csv,html,pdf >"$work/optimize.out" 2>"$work/err"; then
        missing=""
        for ext in csv html pdf; do
            f="$(find "$out_dir" -type f -name "*.$ext" -size +0 | head -1)"
            [ -n "$f" ] || missing+=" $ext"
        done
        pdf="$(find "$out_dir" -type f -name '*.pdf' | head -1)"
        if [ -n "$pdf" ] && [ "$(head -c 4 "$pdf")" != "%PDF" ]; then missing+=" (pdf is not a PDF)"; fi
        if [ -z "$missing" ]; then
            pass "planner optimize --format csv,html,pdf in $(( $(date +%s) - start )) s ($(find "$out_dir" -type f | wc -l) files)"
        else
            ls -R "$out_dir" >>"$work/err" 2>&1
            fail "planner optimize wrote no:$missing"
        fi
    else
        fail "planner optimize (exit $?)"
    fi
    # Several scenarios run in worker processes, which re-enter the frozen executable.
    if "$planner" optimize training-16k eu-inference --workers 2 --out "$work/batch" --format csv \
        >/dev/null 2>"$work/err" && [ -s "$work/batch/summary.csv" ]; then
        pass "planner optimize, two bundled examples in two worker processes"
    else
        fail "planner optimize, two bundled examples in two worker processes"
    fi
fi

# 5. The window, rendered offscreen to a picture.
if gate gui "planner gui --screenshot" gui; then
    shot="$work/window.png"
    if timeout 600 "$planner" gui --screenshot "$shot" >/dev/null 2>"$work/err" && [ -s "$shot" ] \
        && [ "$(head -c 4 "$shot" | od -An -tx1 | tr -d ' ')" = "89504e47" ]; then
        pass "planner gui --screenshot ($(du -k "$shot" | cut -f1) kB PNG)"
    else
        fail "planner gui --screenshot"
    fi
fi

if [ "$failures" -gt 0 ]; then
    echo "smoke check FAILED: $failures check(s)"
    exit 1
fi
echo "smoke check passed"
