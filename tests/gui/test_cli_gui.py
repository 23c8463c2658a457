"""`planner gui` from the command line: a bad scenario, and a screenshot of the real pipeline."""

from __future__ import annotations

import pytest

from planner.cli.main import run

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints"),
]


def test_bad_scenario_is_one_sentence_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[scenario]\nname = 'x'\n", encoding="utf-8")
    assert run(["gui", str(bad), "--screenshot", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "bad.toml" in err and "fleet" in err and "Traceback" not in err
    assert not (tmp_path / "x.png").exists()


@pytest.mark.slow
def test_screenshot_of_the_bundled_example(tmp_path):
    # The application's own engine end to end, in its own process as a user would run it.
    import os
    import subprocess
    import sys

    from PySide6.QtGui import QImage

    target = tmp_path / "window.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-m", "planner", "gui", "--screenshot", str(target), "--size", "1200x800"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    image = QImage(str(target))
    assert (image.width(), image.height()) == (1200, 800)


@pytest.mark.slow
@pytest.mark.parametrize("size", [(800, 600), (1, 1)], ids=["800x600", "1x1"])
def test_screenshot_takes_the_size_asked_even_below_the_layout(tmp_path, size):
    import os
    import subprocess
    import sys

    from PySide6.QtGui import QImage

    target = tmp_path / "window.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    args = ["gui", "--screenshot", str(target), "--size", f"{size[0]}x{size[1]}"]
    done = subprocess.run(
        [sys.executable, "-m", "planner", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    image = QImage(str(target))
    assert (image.width(), image.height()) == size
    assert "propagateSizeHints" not in done.stderr
    assert "cut off" in done.stderr  # said once, on our own line
