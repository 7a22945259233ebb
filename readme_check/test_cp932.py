"""Every script of every chapter runs where the console encodes output as cp932.

On Japanese Windows, Python writes to a file, a pipe or an editor's console in the
system code page, cp932, and stops with UnicodeEncodeError at the first character
cp932 lacks (`²`, `µ`, `—`, ...). PYTHONIOENCODING=cp932 does the same here. Each
script in <chapter>/src/ that can be run (has `if __name__ == "__main__":`) is run
with `uv run` from its chapter, once with --help and once with the short settings
below, and must exit 0 (a script that needs a window: the status in EXIT) without a traceback, its
output readable as cp932.

A new script needs one line in SHORT: the arguments of a run of a few seconds.
Placeholders: {fig} a .png to save the figure to (checked to exist), {tmp} a fresh
folder, {mnist} tiny synthetic MNIST files, {model} a model saved by train_mlp.py.
"""
import os
import re
import struct
import subprocess

import numpy as np
import pytest

from conftest import CHAPTERS, ROOT, runs_dir

SHORT = {
    "point_classifier_2d/src/dump_points.py": "./data/linear.csv --save {fig} --no-show",
    "point_classifier_2d/src/train.py": "./data/curve.csv complex --epochs 101 --gif {tmp}/t.gif --save {fig} --no-show --compare",
    "point_classifier_2d/src/runs.py": "",
    "mnist/src/show_mnist.py": "--data-dir {mnist} --save {fig} --no-show",
    "mnist/src/train.py": "--data-dir {mnist} --device cpu --epochs 2 --train-size 30 --mistakes 4 --save {fig} --no-show --compare",
    "mnist/src/runs.py": "",
    "mnist/src/train_with_linear.py": "--data-dir {mnist} --device cpu --epochs 2 --train-size 30 --gif {tmp}/t.gif --save {fig} --no-show",
    "mnist/src/train_mlp.py": "--data-dir {mnist} --device cpu --epochs 2 --augment --save-model {tmp}/mlp.pth --save {fig} --no-show",
    "mnist/src/train_cnn.py": "--data-dir {mnist} --device cpu --epochs 1 --augment --save-model {tmp}/cnn.pth --save {fig} --no-show",
    "mnist/src/predict.py": "--data-dir {mnist} --device cpu --model {model} --image ./samples/my_digit.png --save {fig} --no-show",
    "mnist/src/draw.py": "--model {model}",
    "blobs_classifier/src/dump_points.py": "--save {fig} --no-show",
    "blobs_classifier/src/train.py": "--epochs 20 --predict 1.5 -3.0 --gif {tmp}/t.gif --save {fig} --no-show --compare",
    "blobs_classifier/src/runs.py": "",
    "mlp_regression/src/basics.py": "",
    "mlp_regression/src/train.py": "--epochs 5 --predict 60 2 3 --save {fig} --no-show --compare",
    "mlp_regression/src/runs.py": "",
    "point_classifier_2d/src/check_setup.py": "",
    "mnist/src/check_setup.py": "",
    "blobs_classifier/src/check_setup.py": "",
    "mlp_regression/src/check_setup.py": "",
}


# Scripts that need a window: headless (as here) they stop with this exit status and one error line.
EXIT = {"mnist/src/draw.py": 2}


def scripts():
    """chapter/src/name.py of every script a reader can run (helper modules have no __main__)."""
    return sorted(str(path.relative_to(ROOT).as_posix()) for chapter in CHAPTERS
                  for path in (ROOT / chapter / "src").glob("*.py")
                  if re.search(r"^if __name__ == .__main__.:", path.read_text("utf-8"), re.M))


def run_cp932(script, args, status=0):
    """Run one script as a reader on Japanese Windows would, output redirected."""
    chapter, _, name = script.split("/")
    env = {**os.environ, "PYTHONIOENCODING": "cp932", "MPLBACKEND": "Agg",
           "RUNS_DIR": runs_dir(f"cp932-{chapter}")}
    result = subprocess.run(["uv", "run", f"./src/{name}", *args], cwd=ROOT / chapter, env=env,
                            capture_output=True, timeout=300)
    # Strict decoding: what the script wrote must be cp932, as the console would show it.
    out, err = result.stdout.decode("cp932"), result.stderr.decode("cp932", errors="replace")
    assert result.returncode == status, f"exit {result.returncode}\n{(out + err)[-3000:]}"
    assert "Traceback" not in out + err, (out + err)[-3000:]
    assert "UnicodeEncodeError" not in out + err, (out + err)[-3000:]
    return out


def write_idx(raw, prefix, images, labels):
    with open(raw / f"{prefix}-images-idx3-ubyte", "wb") as f:
        f.write(struct.pack(">IIII", 2051, len(images), 28, 28) + images.tobytes())
    with open(raw / f"{prefix}-labels-idx1-ubyte", "wb") as f:
        f.write(struct.pack(">II", 2049, len(labels)) + labels.tobytes())


@pytest.fixture(scope="session")
def mnist_dir(tmp_path_factory):
    """A --data-dir with tiny IDX files: blurry bars whose position depends on the digit."""
    root = tmp_path_factory.mktemp("mnist")
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for prefix, n in [("train", 200), ("t10k", 100)]:
        labels = np.tile(np.arange(10, dtype=np.uint8), n // 10)
        images = rng.integers(0, 60, size=(n, 28, 28)).astype(np.uint8)
        for image, label in zip(images, labels):
            image[4 + 2 * label:7 + 2 * label, 4:24] = 255
        write_idx(raw, prefix, images, labels)
    return root


@pytest.fixture(scope="session")
def mlp_model(mnist_dir, tmp_path_factory):
    """A model file written by train_mlp.py, for predict.py."""
    folder = tmp_path_factory.mktemp("model")
    run_cp932("mnist/src/train_mlp.py", ["--data-dir", str(mnist_dir), "--device", "cpu", "--epochs", "1",
                                         "--save-model", str(folder / "mlp.pth"), "--no-show",
                                         "--save", str(folder / "mlp.png")])
    return folder / "mlp.pth"


def test_every_script_is_found():
    assert len(scripts()) >= len(SHORT)  # the glob finds the scripts listed here, and new ones
    assert set(SHORT) <= set(scripts()), f"SHORT names scripts that do not exist: {set(SHORT) - set(scripts())}"


@pytest.mark.parametrize("script", [
    pytest.param(script, marks=pytest.mark.xdist_group(f"cp932 {script}")) for script in scripts()])
def test_script_runs_under_cp932(script, request, tmp_path):
    assert script in SHORT, (f"{script} has no short settings: add a line for it to SHORT in "
                             f"readme_check/test_cp932.py (arguments for a run of a few seconds)")
    usage = run_cp932(script, ["--help"])
    assert "usage:" in usage

    fig = tmp_path / "figure.png"
    values = {"fig": fig, "tmp": tmp_path}
    if "{mnist}" in SHORT[script]:
        values["mnist"] = request.getfixturevalue("mnist_dir")
    if "{model}" in SHORT[script]:
        values["model"] = request.getfixturevalue("mlp_model")
    args = [arg.format(**values) for arg in SHORT[script].split()]
    out = run_cp932(script, args, EXIT.get(script, 0))
    assert out.strip(), "the script printed nothing"
    if "{fig}" in SHORT[script]:
        assert fig.exists() and fig.stat().st_size > 5_000, f"no figure at {fig}\n{out[-2000:]}"
        assert f"Saved figure to {fig}" in out
