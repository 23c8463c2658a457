#!/usr/bin/env bash
# Build the one-folder desktop application into packaging/dist/gpu-site-planner/.
#
#   packaging/build.sh                 # uses `python3` on PATH (or $PYTHON)
#   PYTHON=.venv/bin/python packaging/build.sh
#   packaging/build.sh --archive       # also pack the folder into a .tar.gz for download
#
# The interpreter must have the project and PyInstaller installed (pip install '.[packaging]').
# Prints the build time and the folder's size at the end.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
python="${PYTHON:-python3}"
app="$here/dist/gpu-site-planner"
case "${1:-}" in
    "" | --archive) ;;
    *) echo "usage: packaging/build.sh [--archive]" >&2; exit 2 ;;
esac

"$python" -c "import PyInstaller, planner" 2>/dev/null || {
    echo "error: $python cannot import PyInstaller and planner; install them with" >&2
    echo "       pip install '.[packaging]'" >&2
    exit 2
}

cd "$root"
start=$(date +%s)
# Qt and matplotlib are imported during analysis; they must not need a display.
QT_QPA_PLATFORM=offscreen MPLBACKEND=Agg "$python" -m PyInstaller \
    --noconfirm --clean --log-level "${PYI_LOG_LEVEL:-WARN}" \
    --distpath "$here/dist" --workpath "$here/build" \
    "$here/planner.spec"
end=$(date +%s)

[ -x "$app/planner" ] || { echo "error: the build did not produce $app/planner" >&2; exit 1; }
echo "built $app in $((end - start)) s; size $(du -sh "$app" | cut -f1)"

if [ "${1:-}" = "--archive" ]; then
    version="$("$app/planner" --version | awk '{print $NF}')"
    archive="$here/dist/gpu-site-planner-$version-$(uname -s | tr '[:upper:]' '[:lower:]')-$(uname -m).tar.gz"
    tar -C "$here/dist" -czf "$archive" gpu-site-planner
    echo "packed $archive; size $(du -sh "$archive" | cut -f1)"
fi
