"""Run every `uv run ...` command written in the READMEs, exactly as written.

Commands come from ```sh / ```bash blocks of README.md and <chapter>/README.md,
run from the folder the README puts the reader in (a chapter README starts in
its chapter; a `cd` line moves), headless. A command fails on a non-zero exit,
a traceback, or a plotting script that left no figure.

    uv run --no-project --with pytest pytest readme_check     (./test.sh runs it)
"""
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ["point_classifier_2d", "mnist", "blobs_classifier", "mlp_regression"]
# Scripts that print and draw nothing: they are only checked for a clean exit.
NO_FIGURE = {"basics.py", "make_data.py", "make_rent_data.py"}
MNIST_FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
               "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]


def readme_commands():
    """(README, folder to run in, command) for every `uv run` line, in order."""
    found = []
    for readme, start in [(ROOT / "README.md", ROOT)] + [
            (ROOT / c / "README.md", ROOT / c) for c in CHAPTERS]:
        if not readme.exists():
            continue
        folder = start
        blocks = re.findall(r"^```(?:sh|bash|shell)\n(.*?)^```", readme.read_text("utf-8"),
                            re.S | re.M)
        for line in (l.strip() for block in blocks for l in block.splitlines()):
            if line.startswith("cd "):
                target = line[3:].strip()
                # `cd point_classifier_2d` means the chapter, from wherever the README is.
                folder = ROOT / target if (ROOT / target).is_dir() else folder / target
            elif line.startswith("uv run "):
                found.append((readme.relative_to(ROOT), folder, line))
    return found


COMMANDS = readme_commands()


@pytest.fixture(scope="module")
def mnist_data():
    """Give the mnist chapter its default ./data folder from MNIST_DATA_DIR."""
    source = os.environ.get("MNIST_DATA_DIR")
    if not source or not (Path(source) / "MNIST" / "raw").is_dir():
        yield None
        return
    raw = ROOT / "mnist" / "data" / "MNIST" / "raw"
    made = []
    raw.mkdir(parents=True, exist_ok=True)
    for name in MNIST_FILES:
        if not (raw / name).exists():  # never replace files the reader put there
            (raw / name).symlink_to(Path(source).resolve() / "MNIST" / "raw" / name)
            made.append(raw / name)
    yield raw
    for link in made:
        link.unlink()


def test_the_readmes_have_commands():
    readmes = {str(readme) for readme, _, _ in COMMANDS}
    assert "README.md" in readmes
    assert len(COMMANDS) >= 10


@pytest.mark.parametrize("readme, folder, command", COMMANDS,
                         ids=[f"{r}: {c}" for r, _, c in COMMANDS])
def test_readme_command(readme, folder, command, mnist_data):
    if folder.relative_to(ROOT).parts[:1] == ("mnist",) and mnist_data is None:
        pytest.skip("MNIST_DATA_DIR is not set: no real MNIST data to run the mnist commands on")
    env = {**os.environ, "MPLBACKEND": "Agg"}
    result = subprocess.run(shlex.split(command), cwd=folder, env=env, capture_output=True,
                            text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"exit {result.returncode}\n{output[-3000:]}"
    assert "Traceback" not in output, output[-3000:]

    saved = re.findall(r"^Saved figure to (.+)$", result.stdout, re.M)
    script = Path(shlex.split(command)[2]).name
    if script not in NO_FIGURE and "--help" not in command:
        assert saved, f"no 'Saved figure to ...' line:\n{output[-3000:]}"
    for path in saved:
        figure = folder / path.strip()  # relative paths are relative to the folder
        assert figure.exists() and figure.stat().st_size > 5_000, f"missing figure {figure}"
