"""GUI test fixtures: a window over a fake engine, dialogs that record, settings in tmp."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from tests.gui.fixtures import FakeEngine, RecordingDialogs, write_scenario  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def settings(tmp_path):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def dialogs():
    return RecordingDialogs()


@pytest.fixture
def engine():
    return FakeEngine()


@pytest.fixture
def scenario_file(tmp_path):
    return write_scenario(tmp_path / "synthetic.toml")


@pytest.fixture
def window(qtbot, engine, dialogs, settings, scenario_file):
    from planner.gui.mainwindow import MainWindow

    win = MainWindow(engine=engine, dialogs=dialogs, settings=settings)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    assert win.open_path(scenario_file)
    win.show()
    yield win
    if win.task is not None:
        win.task.cancel()
    win.worker.wait(10.0)


@pytest.fixture
def ran(qtbot, window):
    """The window after a finished run, its worker free again."""
    with qtbot.waitSignals([window.runFinished, window.workDone], timeout=20_000):
        window.on_run()
    return window


@pytest.fixture
def real_window(qtbot, dialogs, settings):
    """Open a scenario file in a window over the real engine, at a laptop's 1366x768."""
    from planner.gui.engine import Engine
    from planner.gui.mainwindow import MainWindow

    windows = []

    def open_window(path):
        win = MainWindow(engine=Engine(), dialogs=dialogs, settings=settings)
        qtbot.addWidget(win)
        win.resize(1366, 768)
        assert win.open_path(path)
        win.show()
        windows.append(win)
        return win

    yield open_window
    for win in windows:
        if win.task is not None:
            win.task.cancel()
        win.worker.wait(30.0)
