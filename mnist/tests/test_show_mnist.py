"""show_mnist.py: the 10x10 grid, --digits, and its errors."""

import os
import subprocess

import pytest

import show_mnist
from conftest import CHAPTER_DIR, assert_ends_quietly_when_cut_short, assert_one_line_error, assert_png


def test_grid_of_first_100(mnist_dir, tmp_path, capsys):
    out = tmp_path / "grid.png"
    show_mnist.main(["--data-dir", str(mnist_dir), "--save", str(out), "--no-show"])
    assert f"Saved figure to {out}" in capsys.readouterr().out
    assert_png(out)


def test_only_some_digits(mnist_dir):
    images, labels = show_mnist.load_data(mnist_dir, [4, 9])
    assert len(images) == 72 and set(labels.tolist()) == {4, 9}  # 36 + 36 in the synthetic set
    images, labels = show_mnist.load_data(mnist_dir, None)
    assert images.shape == (100, 1, 28, 28)


@pytest.mark.parametrize("args, fragment", [
    (["--digits", "4", "10"], "between 0 and 9"),
    (["--digits", "-1"], "between 0 and 9"),
    (["--save", "grid.txt"], ".png"),
])
def test_bad_flags(mnist_dir, capsys, args, fragment):
    with pytest.raises(SystemExit) as excinfo:
        show_mnist.main(["--data-dir", str(mnist_dir), "--no-show"] + args)
    assert_one_line_error(excinfo, capsys, fragment)


def test_headless_without_save_writes_to_outputs(mnist_dir, outputs_dir, capsys):
    show_mnist.main(["--data-dir", str(mnist_dir)])
    assert f"Saved figure to {outputs_dir / 'show_mnist.png'}" in capsys.readouterr().out
    assert_png(outputs_dir / "show_mnist.png")


def test_runs_as_the_reader_runs_it(mnist_dir, tmp_path):
    """One real `uv run` start, headless, as the README's commands are run."""
    env = dict(os.environ, MPLBACKEND="Agg")
    result = subprocess.run(["uv", "run", "./src/show_mnist.py", "--data-dir", str(mnist_dir), "--digits", "4", "9",
                             "--save", str(tmp_path / "sub.png")],
                            cwd=CHAPTER_DIR, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    saved = [line for line in result.stdout.splitlines() if line.startswith("Saved figure to ")]
    assert saved, result.stdout
    assert_png(saved[0].removeprefix("Saved figure to "))


def test_ends_quietly_when_output_is_cut_short(mnist_dir, tmp_path):
    assert_ends_quietly_when_cut_short("show_mnist.py", "--data-dir", mnist_dir, "--no-show",
                                       "--save", tmp_path / "grid.png")
