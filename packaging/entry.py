"""Entry point of the frozen application: the same `planner` command as the installed one."""

import multiprocessing
import os
import sys

if __name__ == "__main__":
    # Worker processes (if a batch run uses them) re-enter this executable; this lets them run.
    multiprocessing.freeze_support()
    if os.environ.get("PLANNER_BUNDLE_SELFCHECK") == "1":
        # Checks that the bundled libraries find their data files; see selfcheck.py.
        import selfcheck

        sys.exit(selfcheck.run(verbose="--debug" in sys.argv))
    from planner.cli.main import main

    main()
