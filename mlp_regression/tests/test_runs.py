"""Every run of train.py is recorded in runs/ (booktools.records); --compare draws earlier
runs behind this one, labelled with this chapter's flags; runs.py lists, draws and diffs
this chapter's records."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from matplotlib.colors import to_hex

import booktools.figures
import figures.training as train_figures
import runs
import train
from booktools import records

CHAPTER_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture
def train_run(capsys, tmp_path):
    """train.py's main() headless with a short training; returns (out, err)."""
    def run(*argv):
        train.main(["--epochs", "5", "--no-show", "--save", str(tmp_path / "figure.png"), *argv])
        return capsys.readouterr()
    return run


@pytest.fixture
def final_figure(monkeypatch):
    shown = {}
    monkeypatch.setattr(booktools.figures, "show_figure", lambda fig, args: shown.update(figure=fig))
    return shown


def test_a_record_holds_flags_finals_and_curves(train_run, runs_dir):
    out, err = train_run("--hidden", "4")
    assert err == ""
    record = json.loads((runs_dir / "0001" / "record.json").read_text(encoding="utf-8"))
    assert record["flags"]["hidden"] == 4 and record["flags"]["epochs"] == 5
    assert record["data"] == str(CHAPTER_DIR / "data" / "rent.csv")
    assert f"R^2: MLP {record['finals']['R^2']:.2f}," in out
    assert f"Test RMSE: {record['finals']['test RMSE']:.2f} " in out
    assert f"Epoch 5, Train Loss: {record['curves']['train loss']['value'][-1]:.4f}, " in out
    assert record["curves"]["test loss"]["epoch"] == [1, 2, 3, 4, 5]
    assert (runs_dir / "0001" / "figure.png").read_bytes()[:4] == b"\x89PNG"


def test_flag_and_code_changes_are_labelled(tmp_path):
    copy = tmp_path / "chapter"
    shutil.copytree(CHAPTER_DIR / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(CHAPTER_DIR / "data", copy / "data")
    env = {key: value for key, value in os.environ.items() if key != "RUNS_DIR"}  # the copy's runs/
    env["COLUMNS"] = "200"  # runs.py's table as wide as the whole label

    def run(script, *argv):
        result = subprocess.run([sys.executable, f"./src/{script}", *argv], cwd=copy, env=env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0 and result.stderr == "", result.stderr
        return result.stdout

    run("train.py", "--epochs", "5", "--no-show")
    run("train.py", "--epochs", "5", "--no-show", "--lr", "0.05")
    code = (copy / "src" / "train.py").read_text(encoding="utf-8")
    (copy / "src" / "train.py").write_text(code.replace("h = F.relu(u)", "h = torch.tanh(u)"), encoding="utf-8")
    run("train.py", "--epochs", "5", "--no-show", "--lr", "0.05", "--compare", "2")
    table = run("runs.py").splitlines()
    assert table[2].endswith("  lr 0.05")
    assert table[3].endswith("  h = torch.tanh(u)")
    diff = run("runs.py", "--diff", "3")
    assert "+        h = torch.tanh(u)  # non-linear transform (the activation function)\n" in diff
    first, _, third = records.read_records(copy / "runs", [])
    assert records.differences(first, third) == "lr 0.01, h = F.relu(u)"


def test_compare_draws_earlier_runs_labelled(train_run, final_figure):
    train_run("--hidden", "2", "--predict", "60", "2", "3")  # --predict: printed, not learned
    train_run("--compare")
    loss = final_figure["figure"].axes[0]
    labels = [text.get_text() for text in loss.get_legend().get_texts()]
    assert labels == ["MLP, training rows", "MLP, test rows", "this run: hidden 16", "run 1: hidden 2"]
    # The earlier run in this run's colours (blue training, orange test), faded and dashed.
    behind = [line for line in loss.lines if line.get_label() == "_nolegend_"]
    assert [to_hex(line.get_color()) for line in behind] == [to_hex(train_figures.TRAIN_COLOR),
                                                             to_hex(train_figures.TEST_COLOR)]
    assert {line.get_linestyle() for line in behind} == {"--"} and all(line.get_alpha() < 1 for line in behind)


def test_compare_with_no_earlier_run_shows_this_run_only(train_run, final_figure):
    out, err = train_run("--compare")
    assert "No earlier run of train.py on rent.csv in runs/ to compare with: showing this run only." in out
    assert err == ""
    loss = final_figure["figure"].axes[0]
    assert [line.get_label() for line in loss.lines] == ["MLP, training rows", "MLP, test rows"]


def test_runs_py_table_figure_and_diff(train_run, capsys, tmp_path):
    train_run()
    train_run("--batch-size", "32")
    runs.main([])
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].split()[0] == "2" and lines[2].endswith("batch-size 32") and "R^2 0." in lines[2]
    png = tmp_path / "runs.png"
    runs.main(["--last", "2", "--save", str(png)])
    assert f"Saved figure to {png}" in capsys.readouterr().out and png.stat().st_size > 10_000
    runs.main(["--diff"])
    assert capsys.readouterr().out == "Run 2: src/ is the same as in run 1.\n"
