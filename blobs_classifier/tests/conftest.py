import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from booktools.testing import x_display  # noqa: F401  (a fixture)

# Headless: set before any test imports matplotlib.
os.environ["MPLBACKEND"] = "Agg"
# Run records go to a temporary folder, never into the chapter's runs/ (each test
# gets its own below; this one catches anything run outside a test).
os.environ["RUNS_DIR"] = tempfile.mkdtemp(prefix="runs-")
atexit.register(shutil.rmtree, os.environ["RUNS_DIR"], ignore_errors=True)

CHAPTER_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def runs_dir(tmp_path, monkeypatch):
    """This test's runs/ folder (booktools.records reads RUNS_DIR), also for the scripts it starts."""
    folder = tmp_path / "runs"
    monkeypatch.setenv("RUNS_DIR", str(folder))
    return folder
