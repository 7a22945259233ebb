import atexit
import os
import shutil
import tempfile

import pytest

# Headless: set before any test imports matplotlib.pyplot.
os.environ["MPLBACKEND"] = "Agg"
# Run records go to a temporary folder, never into the chapter's runs/ (each test
# gets its own below; this one catches anything run outside a test).
os.environ["RUNS_DIR"] = tempfile.mkdtemp(prefix="runs-")
atexit.register(shutil.rmtree, os.environ["RUNS_DIR"], ignore_errors=True)


@pytest.fixture(autouse=True)
def runs_dir(tmp_path, monkeypatch):
    """This test's runs/ folder (booktools.records reads RUNS_DIR), also for the scripts it starts."""
    folder = tmp_path / "runs"
    monkeypatch.setenv("RUNS_DIR", str(folder))
    return folder
