#!/usr/bin/env sh
# Add GPU Site Planner to the desktop's application menu (Linux, current user only).
#
#   ./install-desktop-entry.sh              # install the menu entry and icons
#   ./install-desktop-entry.sh --uninstall  # remove them again
#
# Run it from the unpacked application folder (the build copies it next to `planner`). It
# installs the icons into the user's hicolor theme and a desktop entry whose Exec line points
# at this folder's `planner`, so nothing needs to be on PATH. Move the folder, run it again.
set -eu
app_id="io.github.gpusiteplanner.Planner"
app_dir="$(cd "$(dirname "$0")" && pwd)"
data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
icons="$data_home/icons/hicolor"
entry="$data_home/applications/$app_id.desktop"
sizes="16 32 48 64 128 256"

refresh() {
    # Menus pick the change up on their own; these only speed it up where the tools exist.
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$data_home/applications" || true
    # A newer folder time makes icon themes rescan; a user-level icon cache would go stale.
    touch "$icons" 2>/dev/null || true
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -f "$entry" "$icons/scalable/apps/$app_id.svg"
    for size in $sizes; do rm -f "$icons/${size}x${size}/apps/$app_id.png"; done
    refresh
    echo "removed $entry and its icons"
    exit 0
fi

res="$app_dir/_internal/planner/resources"
[ -x "$app_dir/planner" ] || { echo "error: no planner executable in $app_dir" >&2; exit 2; }
[ -f "$res/$app_id.desktop" ] || { echo "error: no desktop entry under $res" >&2; exit 2; }

for size in $sizes; do
    mkdir -p "$icons/${size}x${size}/apps"
    cp "$res/icons/$app_id-$size.png" "$icons/${size}x${size}/apps/$app_id.png"
done
mkdir -p "$icons/scalable/apps" "$data_home/applications"
cp "$res/icons/$app_id.svg" "$icons/scalable/apps/$app_id.svg"
# Point Exec and TryExec at this folder; quote the path as the Desktop Entry spec asks.
sed -e "s|^Exec=planner |Exec=\"$app_dir/planner\" |" -e "s|^TryExec=planner\$|TryExec=$app_dir/planner|" \
    "$res/$app_id.desktop" >"$entry"
refresh
echo "installed $entry (runs $app_dir/planner gui)"
