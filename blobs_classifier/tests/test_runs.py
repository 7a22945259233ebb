"""Every run of train.py is recorded in runs/ (booktools.records): this chapter's flags,
finals and two curves; --compare draws earlier runs behind this one; runs.py lists, draws
and diffs this chapter's records. (How records are read, thinned, kept safe and cleared
is booktools' own, tested in booktools/tests.)"""
import json
import os
import shutil
import subprocess
import sys

import pytest

import booktools.figures
import runs
import train
from booktools import records
from conftest import CHAPTER_DIR


@pytest.fixture
def train_run(capsys, tmp_path):
    """train.py's main() headless with a short training; returns (out, err)."""
    def run(*argv):
        train.main(["--epochs", "20", "--no-show", "--save", str(tmp_path / "figure.png"), *argv])
        return capsys.readouterr()
    return run


@pytest.fixture
def final_figure(monkeypatch):
    shown = {}
    monkeypatch.setattr(booktools.figures, "show_figure", lambda fig, args: shown.update(figure=fig))
    return shown


def test_a_record_holds_flags_finals_and_curves(train_run, runs_dir):
    out, err = train_run("--lr", "0.1")
    assert err == ""
    record = json.loads((runs_dir / "0001" / "record.json").read_text(encoding="utf-8"))
    assert record["flags"]["lr"] == 0.1 and record["flags"]["epochs"] == 20
    assert record["command"] == f"train.py --epochs 20 --no-show --save {runs_dir.parent / 'figure.png'} --lr 0.1"
    validation = float(out.split("Validation Loss: ")[1].split(",")[0])
    accuracy = float(out.split("Accuracy: ")[1].split()[0])
    assert record["finals"]["validation loss"] == pytest.approx(validation, abs=1e-4)
    assert record["finals"]["accuracy"] == pytest.approx(accuracy, abs=1e-4)
    for name in ["training loss", "validation loss"]:
        assert record["curves"][name]["epoch"] == list(range(1, 21))  # epochs counted from 1
    assert (runs_dir / "0001" / "figure.png").read_bytes()[:4] == b"\x89PNG"


def test_flag_and_code_changes_are_labelled(tmp_path):
    copy = tmp_path / "chapter"
    shutil.copytree(CHAPTER_DIR / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__"))
    env = {key: value for key, value in os.environ.items() if key != "RUNS_DIR"}  # the copy's runs/
    env["COLUMNS"] = "200"  # runs.py's table as wide as the whole label

    def run(script, *argv):
        result = subprocess.run([sys.executable, f"./src/{script}", *argv], cwd=copy, env=env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0 and result.stderr == "", result.stderr
        return result.stdout

    run("train.py", "--epochs", "20", "--no-show")
    run("train.py", "--epochs", "20", "--no-show", "--hidden", "8")
    code = (copy / "src" / "train.py").read_text(encoding="utf-8")
    (copy / "src" / "train.py").write_text(code.replace("optim.SGD(", "optim.Adam("), encoding="utf-8")
    run("train.py", "--epochs", "20", "--no-show", "--hidden", "8", "--compare", "2")
    table = run("runs.py").splitlines()
    assert table[2].endswith("  hidden 8")
    assert table[3].endswith("  optimizer Adam(model.parameters(), lr=learning_rate)")
    diff = run("runs.py", "--diff", "3")
    assert "-    optimizer = optim.SGD(model.parameters(), lr=learning_rate)\n" in diff
    assert "+    optimizer = optim.Adam(model.parameters(), lr=learning_rate)\n" in diff
    first, _, third = records.read_records(copy / "runs", [])
    assert third["code_change"] == "optimizer Adam(model.parameters(), lr=learning_rate)"
    assert records.differences(first, third) == "hidden none, optimizer SGD(model.parameters(), lr=learning_rate)"


def legend_labels(figure):
    """The loss panel's legend, each label on one line (a long one is wrapped)."""
    return [text.get_text().replace("\n", " ") for text in figure.axes[1].get_legend().get_texts()]


def earlier_curves(figure):
    """The earlier runs' curves drawn behind this run's (unlabelled, dashed or dotted)."""
    return [line for line in figure.axes[1].lines if line.get_label() == "_nolegend_"]


def test_compare_draws_earlier_runs_labelled(train_run, final_figure):
    train_run("--lr", "0.1")
    out, _ = train_run("--compare")
    assert "Compared with run 1: lr 0.1\n" in out  # the legend's label, printed
    # Each label says what that run has that the other has not (record.this_label()).
    assert legend_labels(final_figure["figure"]) == ["training", "validation", "this run: lr 0.01", "run 1: lr 0.1"]
    behind = earlier_curves(final_figure["figure"])  # run 1's training and validation losses
    assert [len(line.get_xdata()) for line in behind] == [20, 20]
    assert [line.get_linestyle() for line in behind] == ["--", "--"]  # the style of run 1's legend line


def test_compare_with_the_same_settings_and_view_flags_only(train_run, final_figure):
    train_run()
    out, _ = train_run("--predict", "1.5", "-3.0", "--compare")  # --predict only adds a star
    assert "Compared with run 1: same settings\n" in out
    assert legend_labels(final_figure["figure"]) == ["training", "validation", "this run", "run 1: same settings"]


def test_compare_with_no_earlier_run_shows_this_run_only(train_run, final_figure):
    out, err = train_run("--compare", "3")
    assert "No earlier run of train.py in runs/ to compare with: showing this run only." in out
    assert err == ""
    assert legend_labels(final_figure["figure"]) == ["training", "validation"]
    assert earlier_curves(final_figure["figure"]) == []


def test_runs_py_table_and_figure_of_this_chapters_runs(train_run, capsys, tmp_path, monkeypatch):
    train_run()
    train_run("--hidden", "4", "--predict", "1", "2")  # --predict only adds stars: not a difference
    runs.main([])
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].split()[0] == "2" and lines[2].endswith("hidden 4")
    assert "accuracy" in lines[2] and "validation loss" in lines[2]
    png = tmp_path / "runs.png"
    runs.main(["1", "2", "--save", str(png)])
    assert f"Saved figure to {png}" in capsys.readouterr().out and png.stat().st_size > 10_000
    shown = {}
    monkeypatch.setattr("booktools.runs.show_or_save", lambda fig, *args: shown.update(figure=fig))
    runs.main(["1", "2"])
    training, validation = shown["figure"].axes  # one panel per curve train.py records
    assert training.get_ylabel() == "cross-entropy loss, training data"
    assert validation.get_ylabel() == "cross-entropy loss, validation data"
    for ax in (training, validation):
        assert [line.get_label() for line in ax.lines] == ["run 1: hidden none", "run 2: hidden 4"]
        assert ax.lines[0].get_xdata()[0] == 1  # epochs counted from 1, as train.py prints them
