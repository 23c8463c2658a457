"""Start the window: ``planner gui [SCENARIO] [--screenshot PNG]``."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QSettings, QTimer, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QLayout

from planner.gui.dialogs import Dialogs
from planner.gui.engine import Engine
from planner.gui.mainwindow import APPLICATION, DESKTOP_ID, ORGANIZATION, TABS, MainWindow


class HeadlessDialogs(Dialogs):
    """For --screenshot: no modal dialog may block; messages go to stderr, questions get 'no'."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, parent: Any, text: str, title: str = "Problem") -> None:
        self.errors.append(text)
        sys.stderr.write(f"Error: {text}\n")

    def info(self, parent: Any, title: str, text: str) -> None:
        sys.stderr.write(f"{title}: {text}\n")

    def about(self, parent: Any, title: str, html: str) -> None:
        pass

    def ask_save(self, parent: Any, name: str) -> str:
        return "discard"

    def open_file(self, *args: Any, **kwargs: Any) -> None:
        return None

    def save_file(self, *args: Any, **kwargs: Any) -> None:
        return None

    def choose_folder(self, *args: Any, **kwargs: Any) -> None:
        return None

    def confirm_overwrite(self, *args: Any, **kwargs: Any) -> bool:
        return False


def application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once), with the names QSettings files are kept under."""
    app = QApplication.instance()
    if app is None:
        QApplication.setOrganizationName(ORGANIZATION)
        QApplication.setApplicationName(APPLICATION)
        app = QApplication(argv or [sys.argv[0]])
        # Lets Wayland and the task bar match the window to resources/*.desktop and its icon.
        app.setDesktopFileName(DESKTOP_ID)
        app.setApplicationDisplayName("GPU Site Planner")
    return app  # type: ignore[return-value]


def run_gui(
    scenario: Path,
    *,
    screenshot: Path | None = None,
    tab: str = "map",
    size: tuple[int, int] = (1600, 1000),
    engine: Engine | None = None,
    settings: QSettings | None = None,
) -> int:
    """Open the window on ``scenario`` and run the event loop; returns the exit code.

    With ``screenshot``, the scenario is run, the top sites are selected, the window is saved
    as a PNG (one per tab when ``tab == "all"``: ``NAME-<tab>.png``) and the function returns
    without waiting for the user; exit code 1 if the run failed.
    """
    started = time.perf_counter()
    if screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = application()
    scratch = None
    if screenshot is not None and settings is None:
        # A screenshot must not depend on (or change) the user's remembered layout.
        scratch = tempfile.TemporaryDirectory()
        settings = QSettings(str(Path(scratch.name) / "planner.ini"), QSettings.Format.IniFormat)
    dialogs = HeadlessDialogs() if screenshot is not None else None
    window = MainWindow(engine=engine, dialogs=dialogs, settings=settings)
    if screenshot is not None:
        qInstallMessageHandler(_screenshot_messages)
        _allow_any_size(window, size)
    if not window.open_path(scenario):
        if screenshot is not None:
            return 2
    window.show()
    shown_s = time.perf_counter() - started
    if screenshot is None:
        sys.stderr.write(f"window shown in {shown_s:.2f} s\n")
        window.on_run()
        return app.exec()
    try:
        return _screenshot(app, window, Path(screenshot), tab, size)
    finally:
        if scratch is not None:
            scratch.cleanup()


# Said by the offscreen platform on every resize: nothing a user can act on.
_QUIET_QT_MESSAGES = ("This plugin does not support propagateSizeHints",)


def _screenshot_messages(mode: Any, context: Any, message: str) -> None:
    if not message.startswith(_QUIET_QT_MESSAGES):
        sys.stderr.write(message + "\n")


def _allow_any_size(window: MainWindow, size: tuple[int, int]) -> None:
    """Let the window take exactly ``size``, even below what its layout needs.

    A window keeps at least its layout's minimum (about 1000x650): a smaller ``--size`` was
    ignored. The screenshot is drawn at the size asked, with what does not fit cut off.
    """
    needed = window.minimumSizeHint()
    window.layout().setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
    window.setMinimumSize(1, 1)
    window.resize(*size)
    if size[0] < needed.width() or size[1] < needed.height():
        sys.stderr.write(
            f"Note: the window's layout needs {needed.width()}x{needed.height()} pixels; "
            f"the screenshot is {size[0]}x{size[1]} as asked, with parts cut off.\n"
        )


def _settle(app: QApplication, seconds: float = 0.3) -> None:
    """Process events until nothing is pending for a moment (at most ``seconds``)."""
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.01)


def _screenshot(
    app: QApplication, window: MainWindow, path: Path, tab: str, size: tuple[int, int]
) -> int:
    outcome: dict[str, Any] = {}
    # A loop of its own: QApplication.quit() would close the window (Qt 6), and a closed
    # window's tabs are never shown, so their charts would never be drawn.
    loop = QEventLoop()

    def finished(results: Any) -> None:
        outcome["ok"] = True
        top = list(results.ranking.sort_values("rank").index[:3])
        window.select_sites(top)
        loop.quit()

    def failed(sentence: str) -> None:
        outcome["error"] = sentence
        loop.quit()

    window.runFinished.connect(finished)
    window.runFailed.connect(failed)  # the dialog object already printed the sentence
    QTimer.singleShot(0, window.on_run)
    loop.exec()
    if "error" in outcome:
        window.close()
        return 1
    tabs = TABS if tab == "all" else (tab,)
    for name in tabs:
        window.tabs.setCurrentIndex(TABS.index(name))
        window.resize(*size)
        # Charts of a tab are drawn when it is first shown, then laid out and drawn again
        # at their final size: let those queued steps run before the grab.
        _settle(app)
        if name == "map":
            window.map.fit_sites()
            app.processEvents()
        target = path.with_name(f"{path.stem}-{name}{path.suffix}") if tab == "all" else path
        target.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(target)):
            sys.stderr.write(f"Error: cannot write {target}.\n")
            return 1
        sys.stderr.write(f"saved {target}\n")
    window.close()
    return 0
