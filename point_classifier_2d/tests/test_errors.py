"""Bad input: one clear line on stderr, exit status 2, no traceback, nothing overwritten."""
import os
import subprocess

import pytest

import dump_points
import train
from conftest import CHAPTER_DIR, DATA_DIR, epoch_losses

GOOD_ROWS = "0.1,0.2,0\n0.8,0.9,1\n0.3,0.7,1\n"


def write(tmp_path, text, name="points.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def assert_one_line_error(code, err, *words):
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    for word in words:
        assert word in lines[0]


@pytest.mark.parametrize("script", [train, dump_points])
def test_missing_file(run_main, tmp_path, script):
    missing = str(tmp_path / "linaer.csv")
    extra = ["simple"] if script is train else []
    code, _, err = run_main(script.main, missing, *extra)
    assert_one_line_error(code, err, f"data file not found: {missing} (looked for {missing})",
                          "curve.csv, linear.csv, random.csv")


@pytest.mark.parametrize("typed, meant", [("./data/linaer.csv", "./data/linear.csv"),
                                          ("linear.csv", "data/linear.csv"), ("curve", "data/curve.csv")])
def test_a_file_not_found_names_where_it_looked_and_the_file_meant(run_main, monkeypatch, typed, meant):
    """As the reader types it, from the chapter's folder: the absolute path looked at, the data files there."""
    monkeypatch.chdir(CHAPTER_DIR)
    code, _, err = run_main(train.main, typed, "simple")
    assert_one_line_error(code, err, f"(looked for {CHAPTER_DIR / typed.removeprefix('./')})",
                          "CSV files in data/: curve.csv, linear.csv, random.csv", f"(did you mean {meant}?)")


@pytest.mark.parametrize("text, words", [
    ("", ["no data rows"]),
    ("\n\n", ["no data rows"]),
    ("0.1,0.2,0\n0.5,abc,1\n", ["row 2", "'abc' is not a number"]),
    ("0.1,0.2,0\n0.5,0.6\n", ["row 2", "2 columns", "expected 3"]),
    ("0.1,0.2,0,7\n", ["row 1", "4 columns"]),
    ("0.1,0.2,0\n0.5,0.6,2\n", ["row 2", "label must be 0 or 1", "2"]),
    ("0.1,0.2,0.5\n", ["label must be 0 or 1"]),
    ("0.1,nan,1\n", ["'nan' is not a number"]),
    ("0.1,0.2,1\n", ["only 1 data row", "at least 2 points"]),
])
def test_malformed_csv(run_main, tmp_path, text, words):
    code, out, err = run_main(train.main, write(tmp_path, text), "simple", "--epochs", "1")
    assert_one_line_error(code, err, *words)
    assert "Epoch" not in out  # stopped before training


def test_binary_file_is_refused(run_main, tmp_path):
    path = tmp_path / "image.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00")
    code, _, err = run_main(dump_points.main, str(path))
    assert_one_line_error(code, err, "cannot read")


def test_header_row_is_skipped(run_main, tmp_path):
    path = write(tmp_path, "x,y,label\n" + GOOD_ROWS)
    png = tmp_path / "out.png"
    code, out, err = run_main(train.main, path, "simple", "--epochs", "3", "--save", str(png))
    assert code == 0, err
    assert len(epoch_losses(out)) == 1 and png.exists()


@pytest.mark.parametrize("argv, words", [
    (["simpel"], ["unknown model 'simpel'", "simple or complex"]),
    (["simple", "--epochs", "0"], ["--epochs", "must be at least 1, got 0"]),
    (["simple", "--epochs", "-5"], ["--epochs", "must be at least 1, got -5"]),
    (["simple", "--epochs", "ten"], ["--epochs", "expected a whole number, got 'ten'"]),
    (["simple", "--lr", "0"], ["--lr", "must be greater than 0"]),
    (["simple", "--lr", "nan"], ["--lr", "must be greater than 0"]),
    (["simple", "--bogus"], ["unrecognized arguments: --bogus"]),
])
def test_bad_flags(run_main, argv, words):
    code, _, err = run_main(train.main, str(DATA_DIR / "linear.csv"), *argv)
    assert_one_line_error(code, err, *words)


def test_missing_model_argument(run_main):
    code, _, err = run_main(train.main, str(DATA_DIR / "linear.csv"))
    assert_one_line_error(code, err, "model")


def test_error_through_uv_has_no_traceback():
    result = subprocess.run(
        ["uv", "run", "./src/train.py", "./data/linear.csv", "complx"],
        cwd=CHAPTER_DIR, capture_output=True, text=True, timeout=600,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "error: unknown model 'complx': choose simple or complex")


@pytest.mark.parametrize("edit, error, hint", [
    # the README's exercise: fc1 gives 64, fc2 still takes 128
    (("torch.nn.Linear(2, 128)", "torch.nn.Linear(2, 64)"),
     "RuntimeError: addmm: mat1 and mat2 shapes cannot be multiplied (200x64 and 128x128)",
     "data = self.fc2(data): fc2 is Linear(128, 128) and takes 128 numbers per row, but the data arriving has 64 "
     "(200x64): make the layer before give 128, or fc2 take 64 (print(data.shape) before this line shows it)"),
    # fc1's line removed from the complex model's forward
    (("        data = self.fc1(data)\n        data = torch.relu(data)\n        data = self.fc2(data)",
      "        data = torch.relu(data)\n        data = self.fc2(data)"),
     "RuntimeError: addmm: mat1 and mat2 shapes cannot be multiplied (200x2 and 128x128)",
     "data = self.fc2(data): fc2 is Linear(128, 128) and takes 128 numbers per row, but the data arriving has 2 "
     "(200x2): make the layer before give 128, or fc2 take 2 (print(data.shape) before this line shows it); "
     "fc1 is made in __init__ but forward never uses it"),
])
def test_a_shape_error_ends_with_a_hint_naming_the_readers_line(tmp_path, edit, error, hint):
    """Python's traceback as the README shows it, then one line: the line to look at, and why."""
    from booktools.testing import run_edited

    result = run_edited(CHAPTER_DIR, tmp_path, [("src/train.py", *edit)], "train.py", "./data/curve.csv",
                        "complex", "--epochs", "2", "--no-show")
    lines = result.stderr.splitlines()
    assert result.returncode == 1 and lines[0] == "Traceback (most recent call last):"
    code = (tmp_path / "src" / "train.py").read_text(encoding="utf-8").splitlines()
    fc2 = max(n for n, line in enumerate(code, start=1) if line.strip() == "data = self.fc2(data)")
    assert f'/src/train.py", line {fc2}, in forward' in result.stderr
    assert lines[-2] == error and lines[-1] == f"hint: src/train.py line {fc2}, {hint}"
