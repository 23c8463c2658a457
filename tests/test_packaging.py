"""Packaging: desktop integration files, icon sizes, and (opt-in) the one-folder build.

The desktop entry, AppStream metadata and icons are checked on every run (fast). The build
itself takes minutes, so it runs only when ``PLANNER_TEST_PACKAGING=1`` is set.
"""

from __future__ import annotations

import configparser
import os
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import planner

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
RESOURCES = ROOT / "resources"
APP_ID = "io.github.gpusiteplanner.Planner"
ICON_SIZES_PX = (16, 32, 48, 64, 128, 256)

# Main categories registered by the freedesktop.org Desktop Menu Specification 1.1, appendix A.
MAIN_CATEGORIES = {
    "AudioVideo", "Audio", "Video", "Development", "Education", "Game", "Graphics", "Network",
    "Office", "Science", "Settings", "System", "Utility",
}


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive in desktop entries
    parser.read(RESOURCES / f"{APP_ID}.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_has_the_required_keys_and_starts_the_window():
    entry = _desktop_entry()
    # Required keys for Type=Application: Desktop Entry Specification 1.5, "Recognized keys".
    assert entry["Type"] == "Application"
    assert entry["Name"] == "GPU Site Planner"
    assert entry["Exec"].split()[:2] == ["planner", "gui"]
    assert entry["Icon"] == APP_ID  # an icon-theme name, not a path, so sizes are chosen
    assert entry["Terminal"] == "false"
    categories = entry["Categories"]
    assert categories.endswith(";")  # lists end with a semicolon (spec, "Possible value types")
    assert MAIN_CATEGORIES & set(categories.rstrip(";").split(";"))
    assert entry["Keywords"].endswith(";")


def test_appstream_metadata_matches_the_desktop_entry_and_the_version():
    root = ET.parse(RESOURCES / f"{APP_ID}.metainfo.xml").getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert root.findtext("provides/binary") == "planner"
    # AppStream requires a permissive licence for the metadata itself (spec, metadata_license).
    assert root.findtext("metadata_license") in {"CC0-1.0", "CC-BY-3.0", "CC-BY-4.0", "MIT",
                                                  "FSFAP"}
    assert root.findtext("project_license") == "MIT"  # as pyproject.toml says
    newest = root.find("releases/release")
    assert newest is not None and newest.get("version") == planner.__version__
    assert root.findtext("name") == _desktop_entry()["Name"]


def test_icon_svg_is_square_and_png_sizes_exist_with_transparency():
    svg = ET.parse(RESOURCES / "icons" / f"{APP_ID}.svg").getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert svg.get("viewBox") == "0 0 256 256"
    for size in ICON_SIZES_PX:
        data = (RESOURCES / "icons" / f"{APP_ID}-{size}.png").read_bytes()
        # PNG layout (ISO/IEC 15948): 8-byte signature, then the IHDR chunk whose data starts
        # with width and height as big-endian 32-bit integers, bit depth, then colour type.
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert data[12:16] == b"IHDR"
        width, height, bit_depth, colour_type = struct.unpack(">IIBB", data[16:26])
        assert (width, height) == (size, size)
        assert colour_type == 6 and bit_depth == 8  # 8-bit RGBA: the corners are transparent


def test_recipe_and_scripts_are_in_place():
    spec = (PACKAGING / "planner.spec").read_text(encoding="utf-8")
    # The CLI imports its commands by name; the recipe must collect all planner modules.
    assert 'collect_submodules("planner"' in spec
    assert '"planner/data"' in spec and '"planner/resources"' in spec
    assert (PACKAGING / "entry.py").is_file()
    for script in ("build.sh", "smoke.sh"):
        assert os.access(PACKAGING / script, os.X_OK), f"packaging/{script} is not executable"


def test_build_script_refuses_an_interpreter_without_pyinstaller(tmp_path):
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    proc = subprocess.run([str(PACKAGING / "build.sh")], env={**os.environ, "PYTHON": str(fake)},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "pip install '.[packaging]'" in proc.stderr


def test_smoke_script_refuses_a_missing_build(tmp_path):
    proc = subprocess.run([str(PACKAGING / "smoke.sh"), str(tmp_path / "nothing")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "packaging/build.sh" in proc.stderr


def test_menu_entry_installer_points_exec_at_the_folder_and_uninstalls(tmp_path):
    # A stand-in for the built folder: an executable and the bundled resources.
    app = tmp_path / "my apps" / "gpu-site-planner"
    shutil.copytree(RESOURCES, app / "_internal" / "planner" / "resources")
    (app / "planner").write_text("#!/bin/sh\n")
    (app / "planner").chmod(0o755)
    shutil.copy(PACKAGING / "install-desktop-entry.sh", app)
    data_home = tmp_path / "share"
    env = {**os.environ, "XDG_DATA_HOME": str(data_home), "PATH": "/usr/bin:/bin"}

    subprocess.run([str(app / "install-desktop-entry.sh")], env=env, check=True,
                   capture_output=True, timeout=60)
    entry = (data_home / "applications" / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    # Desktop Entry Specification, "The Exec key": a path with spaces must be double-quoted.
    assert f'Exec="{app}/planner" gui %f' in entry.splitlines()
    assert f"TryExec={app}/planner" in entry.splitlines()
    hicolor = data_home / "icons" / "hicolor"
    for size in ICON_SIZES_PX:
        assert (hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png").is_file()

    subprocess.run([str(app / "install-desktop-entry.sh"), "--uninstall"], env=env, check=True,
                   capture_output=True, timeout=60)
    assert not [p for p in data_home.rglob("*") if p.is_file()]


def test_self_check_passes_unfrozen():
    # The same checks the frozen build runs; here they prove the checks themselves are sound.
    proc = subprocess.run([sys.executable, str(PACKAGING / "selfcheck.py")], capture_output=True,
                          text=True, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "MPLBACKEND": "Agg"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert '"ok": true' in proc.stdout


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("PLANNER_TEST_PACKAGING") != "1",
    reason="the one-folder build takes minutes; set PLANNER_TEST_PACKAGING=1 to run it",
)
def test_one_folder_build_passes_the_smoke_check():
    pytest.importorskip("PyInstaller", reason="PyInstaller is not installed (pip install "
                        "'.[packaging]')")
    if shutil.which("bash") is None:
        pytest.skip("the build and smoke scripts need bash")
    env = {**os.environ, "PYTHON": sys.executable}
    build = subprocess.run([str(PACKAGING / "build.sh")], env=env, capture_output=True,
                           text=True, timeout=3600)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    smoke = subprocess.run([str(PACKAGING / "smoke.sh")], env=env, capture_output=True,
                           text=True, timeout=3600)
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr[-3000:]
    assert "smoke check passed" in smoke.stdout
