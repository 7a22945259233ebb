"""Every run of train.py is recorded in runs/ (records.py); --compare draws earlier runs
behind this one; runs.py lists, draws, diffs and clears the records."""
import errno
import json
import os
import shutil
import subprocess
import sys
import threading

import numpy as np
import pytest

import runs
from booktools import records
import train
import figures.training as train_figures
from conftest import CHAPTER_DIR, DATA_DIR, epoch_losses
from test_live import run_in_window

LINEAR, CURVE = str(DATA_DIR / "linear.csv"), str(DATA_DIR / "curve.csv")


@pytest.fixture
def train_run(run_main, tmp_path):
    """Run train.py's main() headless with a short training; return (out, err)."""
    def run(*argv, data=LINEAR, model="simple", epochs="201"):
        code, out, err = run_main(train.main, data, model, "--epochs", epochs,
                                  "--save", str(tmp_path / "figure.png"), *argv)
        assert code == 0, err
        return out, err
    return run


@pytest.fixture
def final_figure(monkeypatch):
    """The final figure of the next train.py run, kept open for the test."""
    shown = {}
    monkeypatch.setattr(train_figures, "show_figure", lambda fig, args: shown.update(figure=fig))
    return shown


def loss_labels(fig):
    return [line.get_label() for line in fig.axes[1].lines if not line.get_label().startswith("_")]


def test_a_record_holds_the_command_flags_figures_curve_figure_and_code(train_run, runs_dir):
    out, err = train_run("--lr", "0.01", epochs="2101")
    assert err == ""
    folder = runs_dir / "0001"
    record = json.loads((folder / "record.json").read_text(encoding="utf-8"))
    assert record["number"] == 1 and record["script"] == "train.py"
    assert record["command"].startswith(f"train.py {LINEAR} simple --epochs 2101")
    assert record["flags"]["lr"] == 0.01 and record["flags"]["epochs"] == 2101
    assert record["flags"]["seed"] == 0 and record["flags"]["model"] == "simple"
    assert 0 < record["seconds"] < 120
    # The final loss, as the figure says it (printed too where the last epoch is printed).
    assert record["finals"]["loss"] == pytest.approx(epoch_losses(out)[-1][1], abs=0.002)
    assert epoch_losses(out)[-1][0] == 2000
    curve = record["curves"]["loss"]
    assert len(curve["epoch"]) <= 2000 and curve["epoch"][0] == 0 and curve["epoch"][-1] == 2100
    assert curve["value"][-1] == record["finals"]["loss"]
    assert (folder / "figure.png").read_bytes()[:4] == b"\x89PNG"
    assert (folder / "src" / "train.py").read_text(encoding="utf-8") == \
        (CHAPTER_DIR / "src" / "train.py").read_text(encoding="utf-8")
    assert record["changes_since"] is None and (folder / "changes.diff").read_text() == ""


def test_thinning_keeps_the_shape_and_a_one_epoch_spike():
    values = 0.7 * np.exp(-np.arange(20001) / 3000) + 0.01
    values[12345] = 5.0
    thinned = records.thin(values)
    assert len(thinned["epoch"]) <= 2000
    assert thinned["epoch"][0] == 0 and thinned["epoch"][-1] == 20000
    spike = thinned["epoch"].index(12345)
    assert thinned["value"][spike] == 5.0
    # Between the kept points the curve is as it was (a smooth decay: within 1 %).
    assert np.allclose(np.interp(np.arange(20001), thinned["epoch"], thinned["value"])[:12000],
                       values[:12000], rtol=0.01)
    short = records.thin([0.5, 0.4, 0.3])
    assert short == {"epoch": [0, 1, 2], "value": [0.5, 0.4, 0.3]}


def test_flag_and_code_changes_are_labelled(tmp_path):
    """In a copy of the chapter, as the reader works: two runs, then fc1 edited to 64."""
    copy = tmp_path / "chapter"
    shutil.copytree(CHAPTER_DIR / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(CHAPTER_DIR / "data", copy / "data")
    env = {key: value for key, value in os.environ.items() if key != "RUNS_DIR"}  # the copy's runs/

    def run(script, *argv):
        result = subprocess.run([sys.executable, f"./src/{script}", *argv], cwd=copy, env=env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        assert result.stderr == "", result.stderr
        return result.stdout

    short = ["./data/curve.csv", "complex", "--epochs", "51", "--no-show"]
    run("train.py", *short)
    run("train.py", *short, "--lr", "0.01")
    code = (copy / "src" / "train.py").read_text(encoding="utf-8")
    assert "torch.nn.Linear(2, 128)" in code and "torch.nn.Linear(128, 128)" in code
    (copy / "src" / "train.py").write_text(
        code.replace("Linear(2, 128)", "Linear(2, 64)").replace("Linear(128, 128)", "Linear(64, 128)"),
        encoding="utf-8")
    run("train.py", *short, "--lr", "0.01", "--compare", "2")

    table = run("runs.py").splitlines()
    assert len(table) == 4
    assert table[1].split()[0] == "1" and "first: train.py ./data/curve.csv complex" in table[1]
    assert table[2].split()[0] == "2" and table[2].endswith("  lr 0.01")
    assert table[3].split()[0] == "3" and table[3].endswith("  train.py: Linear(2, 64), Linear(64, 128)")

    diff = run("runs.py", "--diff", "3")
    assert diff.startswith("Run 3: what changed in src/ since run 2\n")
    assert "-        self.fc1 = torch.nn.Linear(2, 128)\n" in diff
    assert "+        self.fc1 = torch.nn.Linear(2, 64)\n" in diff
    assert "+        self.fc2 = torch.nn.Linear(64, 128)\n" in diff
    assert run("runs.py", "--diff", "2") == "Run 2: src/ is the same as in run 1.\n"

    # The labels --compare gave run 3's earlier curves: what each had that run 3 has not.
    problems = []
    first, second, third = records.read_records(copy / "runs", problems)
    assert problems == []
    assert records.differences(first, third) == "lr 0.003, train.py: Linear(2, 128), Linear(128, 128)"
    assert records.differences(second, third) == "train.py: Linear(2, 128), Linear(128, 128)"


def test_compare_draws_earlier_runs_of_the_same_data_labelled(train_run, final_figure):
    train_run("--lr", "0.01")
    train_run()
    train_run(data=CURVE)  # other data: not compared unless asked
    out, _ = train_run("--lr", "0.1", "--compare", "3")
    assert loss_labels(final_figure["figure"]) == ["run 1: lr 0.01", "run 2: lr 0.003", "this run: lr 0.1"]
    assert "No earlier run" not in out

    train_run("--compare-all", "--compare", "2", "--seed", "1")
    assert loss_labels(final_figure["figure"]) == [
        "run 3: curve.csv, seed 0", "run 4: lr 0.1, seed 0", "this run: lr 0.003, seed 1"]
    # A compared figure says so in its legend only: its title keeps the changed flags.
    assert final_figure["figure"].axes[0].get_title() == "simple model on linear.csv (--epochs 201 --seed 1)"


def test_compare_with_no_earlier_run_shows_this_run_only(train_run, final_figure):
    out, err = train_run("--compare")
    assert "No earlier run of train.py on linear.csv in runs/ to compare with: showing this run only." in out
    assert err == ""
    assert loss_labels(final_figure["figure"]) == ["this run"]


def test_bad_compare_value(run_main):
    code, out, err = run_main(train.main, LINEAR, "simple", "--compare", "0")
    assert code == 2 and err == ("error: argument --compare: --compare needs a number of earlier runs, "
                                 "1 or more, got '0' (see --help)\n") and "Epoch" not in out
    code, _, err = run_main(train.main, LINEAR, "simple", "--compare", "x")
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_a_broken_record_gives_one_warning_and_runs_py_lists_the_rest(train_run, run_main, runs_dir,
                                                                     tmp_path):
    for lr in ["0.01", "0.02", "0.03"]:
        train_run("--lr", lr)
    (runs_dir / "0001" / "record.json").write_text("garbage {", encoding="utf-8")
    record = json.loads((runs_dir / "0002" / "record.json").read_text(encoding="utf-8"))
    record["finals"] = {"loss": "small"}  # hand-edited: not a number
    (runs_dir / "0002" / "record.json").write_text(json.dumps(record), encoding="utf-8")

    (tmp_path / "figure.png").unlink()
    out, err = train_run("--compare", "5")
    assert err.count("\n") == 1 and err.startswith("warning: runs/: ")
    assert "0001/record.json" in err and "0002/record.json" in err
    assert (tmp_path / "figure.png").exists()  # trained and drew as before
    assert (runs_dir / "0004" / "record.json").exists()  # and was recorded

    code, out, err = run_main(runs.main)
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["3", "4"]
    assert "skipped runs/0001/record.json" in err and "skipped runs/0002/record.json: not a run record" in err


@pytest.mark.parametrize("trouble", ["runs is a file", "read-only", "disk full"])
def test_a_runs_folder_that_cannot_be_written_gives_one_warning(train_run, runs_dir, monkeypatch,
                                                               tmp_path, trouble):
    if trouble == "runs is a file":
        runs_dir.write_text("not a folder", encoding="utf-8")  # works as root too, unlike chmod
    else:
        code = errno.EACCES if trouble == "read-only" else errno.ENOSPC

        def cannot(*args, **kwargs):
            raise OSError(code, os.strerror(code), str(runs_dir / "0001" / "record.tmp"))
        monkeypatch.setattr(records.Path, "write_text", cannot)
    out, err = train_run()
    assert err.count("\n") == 1 and err.startswith("warning: runs/: this run was not recorded (")
    assert "Traceback" not in err
    assert f"Saved figure to {tmp_path / 'figure.png'}" in out
    monkeypatch.undo()
    assert runs_dir.is_file() if trouble == "runs is a file" else not (runs_dir / "0001").exists()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root writes into read-only folders (the test above patches instead)")
def test_a_read_only_runs_folder(train_run, runs_dir):
    runs_dir.mkdir()
    runs_dir.chmod(0o555)
    try:
        _, err = train_run()
    finally:
        runs_dir.chmod(0o755)
    assert err.startswith("warning: runs/: this run was not recorded (Permission denied")


def test_two_runs_at_once_are_both_recorded(runs_dir, tmp_path):
    # Two real processes, started together ...
    def start(seed):
        return subprocess.Popen([sys.executable, "./src/train.py", "./data/linear.csv", "simple",
                                 "--epochs", "101", "--seed", seed, "--save", str(tmp_path / f"{seed}.png")],
                                cwd=CHAPTER_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    processes = [start("1"), start("2")]
    for process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0 and err == "", err
    problems = []
    seeds = sorted(record["flags"]["seed"] for record in records.read_records(runs_dir, problems))
    assert seeds == [1, 2] and problems == []
    # ... and twenty folders asked for at the same moment: twenty different numbers.
    made, start_line = [], threading.Barrier(20)

    def take():
        start_line.wait()
        made.append(records.new_run_folder(runs_dir).name)
    threads = [threading.Thread(target=take) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(made) == [f"{n:04d}" for n in range(3, 23)]


def test_runs_py_table_figure_diff_and_errors(train_run, run_main, tmp_path):
    code, out, err = run_main(runs.main)
    assert code == 0 and out.startswith("No runs recorded yet")
    train_run("--lr", "0.01")
    train_run("--lr", "0.1")
    train_run("--lr", "0.1", "--seed", "3")
    code, out, err = run_main(runs.main)
    lines = out.splitlines()
    assert code == 0 and err == "" and len(lines) == 4
    assert lines[0].split() == ["run", "started", "seconds", "final", "what", "differed", "from",
                                "the", "run", "before"]
    assert lines[2].split()[0] == "2" and lines[2].endswith("lr 0.1") and "loss 0." in lines[2]
    assert lines[3].endswith("seed 3")
    out.encode("cp932")

    png = tmp_path / "runs.png"
    code, out, err = run_main(runs.main, "1", "3", "--save", str(png))
    assert code == 0 and f"Saved figure to {png}" in out and png.stat().st_size > 10_000
    code, out, _ = run_main(runs.main, "--last", "2", "--save", str(png))
    assert code == 0

    code, out, _ = run_main(runs.main, "--diff")
    assert code == 0 and out == "Run 3: src/ is the same as in run 2.\n"
    code, out, _ = run_main(runs.main, "--diff", "1")
    assert out == "Run 1: the first recorded run, no earlier code to compare with.\n"

    for argv, words in [(["9"], "no run 9 in runs/ (runs 1 to 3 are recorded)"),
                        (["--diff", "7"], "no run 7"), (["--last", "0"], "--last must be 1 or more"),
                        (["1", "--diff", "2"], "one of them"), (["--yes"], "--yes goes with --clear"),
                        (["x"], "invalid int value")]:
        code, out, err = run_main(runs.main, *argv)
        assert code == 2 and len(err.strip().splitlines()) == 1 and words in err, (argv, err)


def test_runs_py_figure_labels_what_sets_each_run_apart(train_run, monkeypatch):
    train_run("--lr", "0.01")
    train_run("--lr", "0.1")
    shown = {}
    monkeypatch.setattr("booktools.runs.show_or_save", lambda fig, *args: shown.update(figure=fig))
    runs.main(["1", "2"])
    ax = shown["figure"].axes[0]
    assert [line.get_label() for line in ax.lines] == ["run 1: lr 0.01", "run 2: lr 0.1"]
    assert ax.get_title() == "loss of runs 1, 2" and ax.get_xlabel() == "epoch"
    assert ax.get_yscale() == "log"


def test_runs_py_clear_asks_first(train_run, run_main, runs_dir, monkeypatch):
    train_run()
    train_run()
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("n\n"))
    code, out, _ = run_main(runs.main, "--clear")
    assert code == 0 and out.endswith("[y/N] Nothing removed.\n") and (runs_dir / "0002").exists()
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("y\n"))
    code, out, _ = run_main(runs.main, "--clear")
    assert out.endswith("Removed 2 run records.\n") and not (runs_dir / "0001").exists()
    train_run()
    code, out, _ = run_main(runs.main, "--clear", "--yes")
    assert out == "Removed 1 run records.\n" and not (runs_dir / "0001").exists()
    code, out, _ = run_main(runs.main, "--clear", "--yes")
    assert out == "No runs recorded: nothing to remove.\n"


def test_the_live_window_shows_the_earlier_runs(x_display, train_run):
    train_run("--lr", "0.01")
    code, _, err, report = run_in_window(x_display, CURVE, "simple", "--epochs", "101", "--compare",
                                         "--compare-all")
    assert code == 0, err
    assert "Traceback" not in err
    assert "run 1: linear.csv, epochs 201, lr 0.01" in report["live_lines"] and "this run: curve.csv, epochs 101, lr 0.003" in report["live_lines"]
    assert report["blits_on_screen"] > 1
