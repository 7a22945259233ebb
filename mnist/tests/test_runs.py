"""Every run of the four training scripts is recorded in runs/ (records.py); --compare draws
earlier runs behind this one; runs.py lists, draws, diffs and clears the records."""

import errno
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading

import numpy as np
import pytest

import records
import runs
import train
import train_cnn
import train_figures
import train_mlp
import train_with_linear
from conftest import CHAPTER_DIR, numbers
from test_train import EPOCH_LINE
from test_train_mlp_predict import TEST_LINE


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


@pytest.fixture
def four_nine(run_main, mnist_dir, tmp_path):
    """Run train.py (or train_with_linear.py) headless and short; return (out, err)."""
    def run(*argv, script=train, epochs="3"):
        code, out, err = run_main(script.main, "--data-dir", str(mnist_dir), "--train-size", "all",
                                  "--batch-size", "16", "--epochs", epochs, "--save", str(tmp_path / "c.png"), *argv)
        assert code == 0, err
        return out, err
    return run


@pytest.fixture
def ten_classes(run_main, mnist_dir, tmp_path):
    """Run train_mlp.py (or train_cnn.py) headless and short; return (out, err)."""
    def run(*argv, script=train_mlp, epochs="2"):
        code, out, err = run_main(script.main, "--data-dir", str(mnist_dir), "--epochs", epochs,
                                  "--save", str(tmp_path / "m.png"), "--save-model", str(tmp_path / "m.pth"), *argv)
        assert code == 0, err
        return out, err
    return run


@pytest.fixture
def final_figure(monkeypatch):
    """The final figure of the next training run, kept open for the test."""
    shown = {}
    monkeypatch.setattr(train_figures, "show_figure", lambda fig, no_show: shown.update(figure=fig))
    return shown


def legend(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


def test_a_record_holds_the_command_flags_finals_curves_figure_and_code(four_nine, ten_classes, runs_dir,
                                                                        mnist_dir, tmp_path):
    out, err = four_nine("--lr", "0.01", epochs="4")
    assert err == ""
    folder = runs_dir / "0001"
    record = json.loads((folder / "record.json").read_text(encoding="utf-8"))
    assert record["number"] == 1 and record["script"] == "train.py"
    assert record["command"].startswith(f"train.py --data-dir {mnist_dir} --train-size all")
    assert record["flags"]["lr"] == 0.01 and record["flags"]["epochs"] == 4 and record["flags"]["train_size"] is None
    rows = numbers(EPOCH_LINE, out)
    # The final figures as printed (4 decimals there), the curves epoch by epoch from 0.
    assert record["finals"]["test accuracy"] == pytest.approx(rows[-1][3], abs=5e-5)
    assert record["finals"]["test loss"] == pytest.approx(rows[-1][2], abs=5e-5)
    assert record["curves"]["train loss"]["epoch"] == [0, 1, 2, 3]
    assert record["curves"]["train loss"]["value"] == pytest.approx([row[1] for row in rows], abs=5e-5)
    assert record["curves"]["test accuracy"]["value"][-1] == record["finals"]["test accuracy"]
    assert (folder / "figure.png").read_bytes() == (tmp_path / "c.png").read_bytes()
    assert (folder / "src" / "train.py").read_text(encoding="utf-8") == \
        (CHAPTER_DIR / "src" / "train.py").read_text(encoding="utf-8")
    assert record["changes_since"] is None and (folder / "changes.diff").read_text() == ""

    out, err = ten_classes(epochs="3")
    record = json.loads((runs_dir / "0002" / "record.json").read_text(encoding="utf-8"))
    assert record["script"] == "train_mlp.py" and set(record["curves"]) == {"train loss", "val loss", "val accuracy"}
    assert record["curves"]["val accuracy"]["epoch"] == [1, 2, 3]  # as printed: Epoch 1 ...
    (test_loss, test_accuracy), = numbers(TEST_LINE, out)
    assert record["finals"]["test accuracy"] == pytest.approx(test_accuracy, abs=0.005)
    assert record["finals"]["test loss"] == pytest.approx(test_loss, abs=5e-5)
    assert (runs_dir / "0002" / "figure.png").read_bytes() == (tmp_path / "m.png").read_bytes()


def test_thinning_keeps_the_shape_and_a_one_epoch_spike():
    values = 0.7 * np.exp(-np.arange(1, 5001) / 800) + 0.01
    values[3210] = 5.0
    thinned = records.thin(values, first_epoch=1)
    assert len(thinned["epoch"]) <= 2000 and thinned["epoch"][0] == 1 and thinned["epoch"][-1] == 5000
    assert thinned["value"][thinned["epoch"].index(3211)] == 5.0  # epochs counted from 1
    assert records.thin([0.5, 0.4], first_epoch=1) == {"epoch": [1, 2], "value": [0.5, 0.4]}


def test_flag_and_code_changes_are_labelled(tmp_path, mnist_dir):
    """In a copy of the chapter, as the reader works: two runs, then conv1 edited to 8 filters."""
    copy = tmp_path / "chapter"
    shutil.copytree(CHAPTER_DIR / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__"))
    env = {key: value for key, value in os.environ.items() if key != "RUNS_DIR"}  # the copy's runs/

    def run(script, *argv):
        result = subprocess.run([sys.executable, f"./src/{script}", *argv], cwd=copy, env=env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        assert result.stderr == "", result.stderr
        return result.stdout

    short = ["--data-dir", str(mnist_dir), "--train-size", "all", "--epochs", "2", "--no-show"]
    run("train.py", *short)
    run("train.py", *short, "--epochs", "5")
    code = (copy / "src" / "train.py").read_text(encoding="utf-8")
    assert "Conv2d(1, 4, kernel_size=3)" in code and "Conv2d(4, 8, kernel_size=3)" in code
    (copy / "src" / "train.py").write_text(code.replace("Conv2d(1, 4, kernel_size=3)", "Conv2d(1, 8, kernel_size=3)")
                                           .replace("Conv2d(4, 8, kernel_size=3)", "Conv2d(8, 8, kernel_size=3)"),
                                           encoding="utf-8")
    out = run("train.py", *short, "--epochs", "5", "--compare", "2")
    assert "(conv1): Conv2d(1, 8, kernel_size=(3, 3)" in out  # the edited model trained

    table = run("runs.py").splitlines()
    assert len(table) == 4
    assert table[1].split()[0] == "1" and "first: train.py --data-dir" in table[1]
    assert table[2].split()[0] == "2" and table[2].endswith("  epochs 5")
    assert table[3].split()[0] == "3" and table[3].endswith(
        "  train.py: Conv2d(1, 8, kernel_size=3), Conv2d(8, 8, kernel_size=3)")

    diff = run("runs.py", "--diff", "3")
    assert diff.startswith("Run 3: what changed in src/ since run 2\n")
    assert "-        self.conv1 = torch.nn.Conv2d(1, 4, kernel_size=3)\n" in diff
    assert "+        self.conv1 = torch.nn.Conv2d(1, 8, kernel_size=3)\n" in diff
    assert "+        self.conv2 = torch.nn.Conv2d(8, 8, kernel_size=3)\n" in diff
    assert run("runs.py", "--diff", "2") == "Run 2: src/ is the same as in run 1.\n"

    # The labels --compare gave run 3's earlier curves: what each had that run 3 has not.
    problems = []
    first, second, third = records.read_records(copy / "runs", problems)
    assert problems == []
    assert records.differences(first, third) == \
        "epochs 2, train.py: Conv2d(1, 4, kernel_size=3), Conv2d(4, 8, kernel_size=3)"
    assert records.differences(second, third) == "train.py: Conv2d(1, 4, kernel_size=3), Conv2d(4, 8, kernel_size=3)"


def test_compare_draws_earlier_runs_behind_this_one_labelled(four_nine, final_figure):
    four_nine(epochs="6")
    four_nine()
    out, _ = four_nine("--lr", "0.01", "--compare", "2")
    assert "No earlier run" not in out
    fig = final_figure["figure"]
    ax, ax2 = fig.axes
    assert legend(ax) == ["Train Loss (this run)", "Test Loss (this run)", "Test Accuracy (this run)",
                          "run 1: epochs 6, lr 0.004", "run 2: lr 0.004"]
    # Each earlier run's curves are drawn, faded, behind this run's; the x axis holds the longest run.
    faded = [line for line in ax.get_lines() + ax2.get_lines() if line.get_alpha() == 0.6]
    assert sorted(len(line.get_xdata()) for line in faded) == [3, 3, 3, 6, 6, 6]
    assert all(line.get_zorder() < ax.get_lines()[-1].get_zorder() for line in faded)
    assert ax.get_xlim()[1] > 5
    # A compared figure keeps its title: the flags of this run.
    assert ax.get_title() == "4 vs 9 (train.py): learning curves\n--epochs 3, --lr 0.01, --batch-size 16, --train-size all"


def test_train_py_compares_with_train_with_linear_py(four_nine, final_figure):
    """The book's comparison: the fully connected network, then the CNN with --compare."""
    four_nine(script=train_with_linear)
    out, _ = four_nine("--compare")
    assert legend(final_figure["figure"].axes[0])[3:] == ["run 1: train_with_linear.py, lr 0.0003"]
    out, _ = four_nine("--compare", script=train_with_linear)
    assert legend(final_figure["figure"].axes[0])[3:] == ["run 2: train.py, lr 0.004"]


def test_train_cnn_py_compares_with_train_mlp_py(ten_classes, final_figure):
    ten_classes("--dropout", "0.2")
    ten_classes("--compare", "--lr", "0.001", script=train_cnn)
    ax1, ax2 = final_figure["figure"].axes
    # --dropout is train_mlp.py's own flag: the script's name says it.
    assert legend(ax1) == ["Train Loss (this run)", "Val Loss (this run)", "run 1: train_mlp.py"]
    assert legend(ax2) == ["Val Accuracy (this run)", "run 1: train_mlp.py"]
    assert [len(line.get_xdata()) for line in ax1.get_lines()] == [2, 2, 2, 2, 0]  # (the last: the legend's)


def test_compare_with_no_earlier_run_shows_this_run_only(four_nine, ten_classes, final_figure):
    out, err = four_nine("--compare")
    assert "No earlier run of train.py or train_with_linear.py in runs/ to compare with: showing this run only." in out
    assert err == ""
    assert legend(final_figure["figure"].axes[0]) == ["Train Loss", "Test Loss", "Test Accuracy"]
    out, err = ten_classes("--compare", "3")
    assert "No earlier run of train_mlp.py or train_cnn.py in runs/" in out and err == ""
    assert legend(final_figure["figure"].axes[0]) == ["Train Loss", "Val Loss"]


@pytest.mark.parametrize("value", ["0", "x", "-1"])
def test_bad_compare_value(run_main, value):
    for main in (train.main, train_mlp.main):
        code, out, err = run_main(main, "--compare", value)
        assert code == 2 and "Epoch" not in out
        assert err.startswith("error: argument --compare: --compare needs a number of earlier runs, 1 or more")
        assert len(err.strip().splitlines()) == 1


def test_a_broken_record_gives_one_warning_and_runs_py_lists_the_rest(four_nine, run_main, runs_dir, tmp_path):
    for lr in ["0.01", "0.02", "0.03"]:
        four_nine("--lr", lr)
    (runs_dir / "0001" / "record.json").write_text("garbage {", encoding="utf-8")
    record = json.loads((runs_dir / "0002" / "record.json").read_text(encoding="utf-8"))
    record["finals"] = {"test accuracy": "high"}  # hand-edited: not a number
    (runs_dir / "0002" / "record.json").write_text(json.dumps(record), encoding="utf-8")

    (tmp_path / "c.png").unlink()
    out, err = four_nine("--compare", "5")
    assert err.count("\n") == 1 and err.startswith("warning: runs/: ")
    assert "0001/record.json" in err and "0002/record.json" in err
    assert (tmp_path / "c.png").exists()  # trained and drew as before
    assert (runs_dir / "0004" / "record.json").exists()  # and was recorded

    code, out, err = run_main(runs.main)
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["3", "4"]
    assert "skipped runs/0001/record.json" in err and "skipped runs/0002/record.json: not a run record" in err


@pytest.mark.parametrize("trouble", ["runs is a file", "read-only", "disk full"])
def test_a_runs_folder_that_cannot_be_written_gives_one_warning(ten_classes, runs_dir, monkeypatch, tmp_path,
                                                               trouble):
    if trouble == "runs is a file":
        runs_dir.write_text("not a folder", encoding="utf-8")  # works as root too, unlike chmod
    else:  # (patched: root may write into a read-only folder)
        code = errno.EACCES if trouble == "read-only" else errno.ENOSPC

        def cannot(*args, **kwargs):
            raise OSError(code, os.strerror(code), str(runs_dir / "0001" / "record.tmp"))
        monkeypatch.setattr(records.Path, "write_text", cannot)
    out, err = ten_classes()
    assert err.count("\n") == 1 and err.startswith("warning: runs/: this run was not recorded (")
    assert "Traceback" not in err
    assert "Test Accuracy" in out and f"Saved figure to {tmp_path / 'm.png'}" in out
    monkeypatch.undo()
    assert runs_dir.is_file() if trouble == "runs is a file" else not (runs_dir / "0001").exists()


def test_two_runs_at_once_are_both_recorded(runs_dir, mnist_dir, tmp_path):
    def start(script, seed):
        return subprocess.Popen([sys.executable, f"./src/{script}", "--data-dir", str(mnist_dir), "--epochs", "2",
                                 "--seed", seed, "--save", str(tmp_path / f"{seed}.png"),
                                 *(["--save-model", str(tmp_path / "m.pth")] if script == "train_mlp.py"
                                   else ["--train-size", "all"])],
                                cwd=CHAPTER_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    processes = [start("train.py", "1"), start("train_mlp.py", "2")]
    for process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0 and err == "", err
    problems = []
    recorded = sorted((record["script"], record["flags"]["seed"])
                      for record in records.read_records(runs_dir, problems))
    assert recorded == [("train.py", 1), ("train_mlp.py", 2)] and problems == []
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


def test_runs_py_table_figure_diff_and_errors(four_nine, ten_classes, run_main, tmp_path, monkeypatch):
    code, out, err = run_main(runs.main)
    assert code == 0 and out.startswith("No runs recorded yet")
    four_nine()
    four_nine(script=train_with_linear)
    ten_classes("--subset", "100")
    code, out, err = run_main(runs.main)
    lines = out.splitlines()
    assert code == 0 and err == "" and len(lines) == 4
    assert lines[0].split()[:4] == ["run", "started", "seconds", "final"]
    assert lines[2].split()[0] == "2" and lines[2].endswith("train_with_linear.py, lr 0.0003")
    assert re.search(r"  test accuracy [01]\.\d{4}, test loss \d\.\d{4}  ", lines[2])  # as printed
    assert lines[3].endswith("train_mlp.py, epochs 2, lr 0.001, batch-size 64")
    out.encode("cp932")

    shown = {}
    with monkeypatch.context() as patch:
        patch.setattr("figures.show_or_save", lambda fig, *args: shown.update(figure=fig))
        run_main(runs.main, "1", "2")
    axes = shown["figure"].axes
    assert [ax.get_title() for ax in axes] == ["train loss of runs 1, 2", "test loss of runs 1, 2",
                                               "test accuracy of runs 1, 2"]
    assert legend(axes[0]) == ["run 1: train.py, lr 0.004", "run 2: train_with_linear.py, lr 0.0003"]
    assert axes[0].get_yscale() == "log" and axes[2].get_yscale() == "linear"
    png = tmp_path / "runs.png"
    code, out, err = run_main(runs.main, "2", "3", "--save", str(png))
    assert code == 0 and f"Saved figure to {png}" in out and png.stat().st_size > 10_000

    code, out, _ = run_main(runs.main, "--diff")
    assert code == 0 and out == "Run 3: src/ is the same as in run 2.\n"
    for argv, words in [(["9"], "no run 9 in runs/ (runs 1 to 3 are recorded)"),
                        (["--diff", "7"], "no run 7"), (["--last", "0"], "--last must be 1 or more"),
                        (["1", "--diff", "2"], "one of them"), (["--yes"], "--yes goes with --clear"),
                        (["x"], "invalid int value")]:
        code, out, err = run_main(runs.main, *argv)
        assert code == 2 and len(err.strip().splitlines()) == 1 and words in err, (argv, err)


def test_runs_py_clear_asks_first(four_nine, run_main, runs_dir, monkeypatch):
    four_nine(epochs="1")
    four_nine(epochs="1")
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    code, out, _ = run_main(runs.main, "--clear")
    assert code == 0 and out.endswith("[y/N] Nothing removed.\n") and (runs_dir / "0002").exists()
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    code, out, _ = run_main(runs.main, "--clear")
    assert out.endswith("Removed 2 run records.\n") and not (runs_dir / "0001").exists()
    four_nine(epochs="1")
    code, out, _ = run_main(runs.main, "--clear", "--yes")
    assert out == "Removed 1 run records.\n" and not (runs_dir / "0001").exists()


# train.py in a fresh process with a real Tk window: prints the legend and the curves holding
# points when the live window opens and when the final one does (closed by a timer).
WINDOW_DRIVER = """
import sys
import matplotlib.pyplot as plt

real_show = plt.show

def show(*args, block=None):
    fig = plt.gcf()
    ax = fig.axes[0]
    drawn = sum(len(line.get_xdata()) > 0 for line in ax.get_lines())
    texts = [text.get_text() for text in ax.get_legend().get_texts()]
    print("LIVE" if block is False else "FINAL", plt.get_backend(), drawn, texts, flush=True)
    if block is False:
        return real_show(block=False)
    timer = fig.canvas.new_timer(interval=300)
    timer.add_callback(plt.close, "all")
    timer.start()
    real_show()

plt.show = show
sys.path.insert(0, sys.argv[1])
import train
train.main(sys.argv[2:])
"""


def test_the_live_window_shows_the_earlier_runs(x_display, four_nine, mnist_dir):  # noqa: F811
    four_nine(script=train_with_linear)
    env = {**os.environ, "DISPLAY": x_display, "MPLBACKEND": "TkAgg"}
    result = subprocess.run([sys.executable, "-c", WINDOW_DRIVER, str(CHAPTER_DIR / "src"), "--data-dir",
                             str(mnist_dir), "--train-size", "all", "--epochs", "3", "--compare"],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    live, final = [line for line in result.stdout.splitlines() if line.startswith(("LIVE", "FINAL"))]
    # Before the first epoch the window already holds the earlier run's two losses (this run's: none yet).
    assert live.startswith("LIVE TkAgg 2 ")
    assert "'run 1: train_with_linear.py, lr 0.0003, batch-size 16'" in live and "'Train Loss (this run)'" in live
    assert final.startswith("FINAL TkAgg 4 ") and "'run 1: train_with_linear.py, lr 0.0003, batch-size 16'" in final
