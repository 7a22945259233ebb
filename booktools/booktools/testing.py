"""What the chapters' tests share. In a chapter's tests/conftest.py:

    from booktools.testing import headless_with_temporary_runs, run_main, runs_dir, x_display  # noqa: F401
    headless_with_temporary_runs()  # before anything imports matplotlib

Fixtures: runs_dir (each test's own runs/ folder; autouse), run_main (a script's main() called
in-process, its exit code and output), x_display (a virtual X display for real-window tests,
with `python -m booktools.window_driver`). run_edited: a script run after the reader's own edit.
"""
import atexit
import os
import shutil
import subprocess
import sys
import tempfile

import pytest


def headless_with_temporary_runs():
    """Figures saved, never shown (MPLBACKEND=Agg: set before matplotlib is imported), and
    run records in a temporary folder, never in the chapter's runs/ (each test gets its own,
    runs_dir; this one catches anything run outside a test), and runs.py's table as printed
    into a pipe (100 columns: a terminal's COLUMNS is left out; a test sets its own)."""
    os.environ["MPLBACKEND"] = "Agg"
    os.environ.pop("COLUMNS", None)
    os.environ["RUNS_DIR"] = tempfile.mkdtemp(prefix="runs-")
    atexit.register(shutil.rmtree, os.environ["RUNS_DIR"], ignore_errors=True)


@pytest.fixture(autouse=True)
def runs_dir(tmp_path, monkeypatch):
    """This test's runs/ folder (booktools.records reads RUNS_DIR), also for the scripts it starts."""
    folder = tmp_path / "runs"
    monkeypatch.setenv("RUNS_DIR", str(folder))
    return folder


@pytest.fixture
def run_main(capsys):
    """Call a script's main() in-process; return (exit code, stdout, stderr)."""
    def run(main, *argv):
        try:
            main(list(argv))
            code = 0
        except SystemExit as exit:
            code = exit.code
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return run


@pytest.fixture(scope="session")
def x_display():
    """A virtual X display (Xvfb) for the real-window tests; skips where there is none."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (Debian: apt-get install xvfb xauth)")
    if subprocess.run([sys.executable, "-c", "import tkinter"], capture_output=True).returncode:
        pytest.skip("this Python has no tkinter, so matplotlib cannot open a TkAgg window")
    # -displayfd: Xvfb picks a free display number and writes it to the pipe.
    read_end, write_end = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1600x1200x24",
                               "-nolisten", "tcp"], pass_fds=[write_end],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip()
    if not number:
        server.kill()
        pytest.skip("Xvfb did not start")
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)


def run_edited(chapter_dir, folder, edits, script, *argv, timeout=300):
    """Copy the chapter's src/ (and data/) into folder, edit a script there as a reader would
    ([(file, old text, new text)], the first of each replaced), run one of its scripts as the reader runs it
    (python ./src/SCRIPT ...) and return the finished process (stdout, stderr as text)."""
    from pathlib import Path

    chapter_dir, folder = Path(chapter_dir), Path(folder)
    for part in ("src", "data"):
        if (chapter_dir / part).is_dir():
            shutil.copytree(chapter_dir / part, folder / part, ignore=shutil.ignore_patterns("__pycache__", "MNIST"))
    for name, old, new in edits:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) >= 1, f"{old!r} is not in {name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    env = {**os.environ, "MPLBACKEND": "Agg", "RUNS_DIR": str(folder / "runs")}
    return subprocess.run([sys.executable, f"./src/{script}", *map(str, argv)], cwd=folder, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout)
