from pathlib import Path

from booktools.testing import headless_with_temporary_runs, run_main, runs_dir, x_display  # noqa: F401 (fixtures)

headless_with_temporary_runs()

CHAPTER_DIR = Path(__file__).resolve().parent.parent
