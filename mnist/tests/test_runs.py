"""Every run of the four training scripts is recorded in runs/ (booktools.records); --compare
draws earlier runs behind this one, and each script's partner's (train.py and train_with_linear.py,
train_mlp.py and train_cnn.py); runs.py lists this chapter's runs and draws their curves."""

import json
import os
import re
import subprocess
import sys

import pytest

import booktools.figures
import runs
import train
import train_cnn
import train_mlp
import train_with_linear
from conftest import CHAPTER_DIR, numbers
from test_train import EPOCH_LINE
from test_train_mlp_predict import TEST_LINE


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
    monkeypatch.setattr(booktools.figures, "show_figure", lambda fig, args: shown.update(figure=fig))
    return shown


def legend(ax):
    """The legend's labels (train.py's is on the accuracy's axes, drawn over every curve)."""
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


def test_compare_draws_earlier_runs_behind_this_one_labelled(four_nine, final_figure):
    four_nine(epochs="6")
    four_nine()
    out, _ = four_nine("--lr", "0.01", "--compare", "2")
    assert "No earlier run" not in out
    fig = final_figure["figure"]
    ax, ax2 = fig.axes
    # The colours say which curve, the line style which run: solid this one, dashed (dotted) the earlier.
    assert legend(ax2) == ["Train Loss", "Test Loss", "Test Accuracy", "this run: lr 0.01",
                           "run 1: epochs 6, lr 0.004", "run 2: lr 0.004"]
    # Each earlier run's curves are drawn, faded, behind this run's; the x axis holds the longest run.
    faded = [line for line in ax.get_lines() + ax2.get_lines() if line.get_alpha() == 0.5]
    assert sorted(len(line.get_xdata()) for line in faded) == [3, 3, 3, 6, 6, 6]
    this_run = [line for line in ax.get_lines() + ax2.get_lines() if line.get_label() in ("Train Loss", "Test Accuracy")]
    assert len(this_run) == 2 and all(line.get_zorder() < this_run[0].get_zorder() for line in faded)
    assert ax.get_xlim()[1] > 5
    # A compared figure keeps its header: the flags of this run; and what ran, read from the objects.
    assert fig.get_suptitle() == "train.py: epochs 3, lr 0.01, batch-size 16, train-size all"
    assert ax.get_title() == "4 vs 9: conv 1-4-8-16, 16-1, Adam lr=0.01"


def test_train_py_compares_with_train_with_linear_py(four_nine, final_figure):
    """The book's comparison: the fully connected network, then the CNN with --compare."""
    four_nine(script=train_with_linear)
    out, _ = four_nine("--compare")
    assert legend(final_figure["figure"].axes[1])[3:] == ["this run: train.py, lr 0.004",
                                                          "run 1: train_with_linear.py, lr 0.0003"]
    out, _ = four_nine("--compare", script=train_with_linear)
    assert "Compared with run 2: train.py, lr 0.004" in out
    assert legend(final_figure["figure"].axes[1])[3:] == ["this run: train_with_linear.py, lr 0.0003",
                                                          "run 2: train.py, lr 0.004"]
    assert final_figure["figure"].axes[0].get_title() == "4 vs 9: 784-128-64-1, Adam lr=0.0003"


def test_train_cnn_py_compares_with_train_mlp_py(ten_classes, final_figure):
    ten_classes("--dropout", "0.2")
    ten_classes("--compare", "--lr", "0.001", script=train_cnn)
    ax1, ax2 = final_figure["figure"].axes
    # --dropout is train_mlp.py's own flag: the script's name says it. One curve (the accuracy):
    # each run in a colour of its own.
    assert legend(ax1) == ["Train Loss", "Val Loss", "this run: train_cnn.py", "run 1: train_mlp.py"]
    assert legend(ax2) == ["run 1: train_mlp.py", "this run: train_cnn.py"]
    assert [len(line.get_xdata()) for line in ax1.get_lines()] == [2, 2, 2, 2, 0, 0]  # (the last: the legend's)


def test_runs_py_lists_the_finals_as_printed_and_draws_this_chapters_curves(four_nine, ten_classes, run_main,
                                                                            monkeypatch):
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
    assert re.search(r"  test accuracy [01]\.\d{4}, test loss \d\.\d{4}  ", lines[2])  # as printed: 0.9930
    assert re.search(r"  test accuracy \d+\.\d\d%, test loss \d\.\d{4}  ", lines[3])  # as printed: 97.96%
    assert "  train_mlp.py, epochs 2, lr 0." in lines[3] and len(lines[3]) <= 100
    out.encode("cp932")

    shown = {}
    monkeypatch.setattr("booktools.runs.show_or_save", lambda fig, *args: shown.update(figure=fig))
    run_main(runs.main, "1", "2")
    axes = shown["figure"].axes
    assert [ax.get_title() for ax in axes] == ["train loss of runs 1, 2", "test loss of runs 1, 2",
                                               "test accuracy of runs 1, 2"]
    assert legend(axes[0]) == ["run 1: train.py, lr 0.004", "run 2: train_with_linear.py, lr 0.0003"]
    assert axes[0].get_yscale() == "log" and axes[2].get_yscale() == "linear"
    run_main(runs.main, "2", "3")  # a 4-vs-9 run and a 10-class run: every curve of either
    assert [ax.get_title() for ax in shown["figure"].axes] == [
        f"{name} of runs 2, 3" for name in ["train loss", "test loss", "test accuracy", "val loss", "val accuracy"]]


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
    texts = [text.get_text() for text in fig.axes[-1].get_legend().get_texts()]  # (on the accuracy's axes)
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
    assert "'run 1: train_with_linear.py, lr 0.0003, batch-size 16'" in live and "'this run: train.py, lr 0.004, batch-size 100'" in live
    assert final.startswith("FINAL TkAgg 4 ") and "'run 1: train_with_linear.py, lr 0.0003, batch-size 16'" in final
