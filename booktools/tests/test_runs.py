"""booktools.runs, the logic of every chapter's runs.py: the recorded runs as a table, their
curves side by side, a run's code change, or cleared."""
import io
import json
import re

import pytest

import runs
import train
import train_linear
from conftest import STEPS, WIDE, assert_one_line_error


@pytest.fixture
def drawn(monkeypatch):
    """The figure of the next runs.py call, kept open (and drawn, so tick labels exist)."""
    shown = {}

    def keep(fig, args, default_name):
        fig.canvas.draw()
        shown.update(figure=fig, name=default_name)
    monkeypatch.setattr("booktools.runs.show_or_save", keep)
    return shown


def drawn_png(train_run):
    """The --save path train_run gives every run (its default)."""
    import inspect
    return inspect.signature(train_run).parameters["save"].default


def legend(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()] if ax.get_legend() else []


def test_no_runs_yet(run_main):
    code, out, err = run_main(runs.main)
    assert code == 0 and err == ""
    assert out == "No runs recorded yet in runs/: every run of the training scripts is recorded there.\n"


def test_the_table_says_what_differed_from_the_run_before(train_run, run_main, monkeypatch, tmp_path):
    monkeypatch.delenv("COLUMNS", raising=False)  # (into a pipe: 100 columns)
    train_run("--lr", "0.05")
    train_run("--lr", "0.2")
    train_run("--lr", "0.2", "--seed", "3", "--every", "5")  # --every: where output goes, not a difference
    train_run("--bias", "0.5", "--lr", "0.2", "--seed", "3", script=train_linear)
    train_run("--lr", "0.2", "--seed", "3", data=WIDE)
    calls = []  # Ctrl-C in epoch 12 of 30
    real_step = train.step

    def step(*args):
        calls.append(1)
        if len(calls) == 13:
            raise KeyboardInterrupt
        return real_step(*args)
    monkeypatch.setattr(train, "step", step)
    out, _ = train_run("--lr", "0.2", "--seed", "3", data=WIDE)
    assert "Interrupted after 12 epochs: showing what was learned so far." in out

    code, out, err = run_main(runs.main)
    lines = out.splitlines()
    assert code == 0 and err == "" and len(lines) == 7
    assert lines[0].split() == ["run", "started", "seconds", "final", "what", "differed", "from", "the",
                                "run", "before"]
    assert [line.split()[0] for line in lines[1:]] == ["1", "2", "3", "4", "5", "6"]
    # A line fits 100 columns: the first run's long command line is cut with "...".
    first = f"first: train.py {STEPS} --save"
    assert re.fullmatch(r"   1  \d\d-\d\d \d\d:\d\d +\d+\.\d  loss 0\.\d{4}, accuracy 0\.\d{4}  (.*)", lines[1]), lines[1]
    assert all(len(line) <= 100 for line in lines)
    assert len(lines[1]) == 100 and lines[1].endswith("...") and first.startswith(lines[1][lines[0].index("what"):-3])
    # The columns line up ("final" as wide as the widest); what differed, run by run:
    column = lines[0].index("what differed")
    assert [line[column:] for line in lines[2:]] == [
        "lr 0.2",
        "seed 3",  # (--every says where output goes: no difference)
        "train_linear.py",  # (its own flag goes with its name)
        "train.py, wide.csv",
        "same settings (stopped at epoch 12)"]
    assert re.fullmatch(r"loss 0\.\d{4} +", lines[4][lines[0].index("final"):column])
    out.encode("cp932")  # a Japanese Windows console can print it


def test_the_table_takes_the_terminals_width(train_run, run_main, monkeypatch):
    train_run("--lr", "0.05", "--epochs", "40", "--limit", "5", "--seed", "2", "--every", "5")
    train_run("--lr", "0.2")
    monkeypatch.setenv("COLUMNS", "400")  # a wide terminal (shutil.get_terminal_size reads it too)
    code, out, err = run_main(runs.main)
    lines = out.splitlines()
    assert code == 0 and 100 < len(lines[1]) <= 400 and not lines[1].endswith("...")
    assert lines[1].endswith("--lr 0.05 --epochs 40 --limit 5 --seed 2 --every 5")
    assert lines[2].endswith("  epochs 30, lr 0.2, seed 0, limit all")
    monkeypatch.setenv("COLUMNS", "80")  # a narrow one: cut to fit, the header whole
    lines = run_main(runs.main)[1].splitlines()
    assert lines[0].endswith("  what differed") and all(len(line) <= 80 for line in lines)
    assert lines[1].endswith("...") and lines[2].endswith("  epochs 30, lr 0.2, ...")


def test_the_header_is_never_cut(train_run, run_main, monkeypatch):
    """A wide "final" column (blobs' three numbers): the column's title is shortened, not cut."""
    import booktools.runs

    monkeypatch.delenv("COLUMNS", raising=False)
    train_run()
    train_run("--lr", "0.2")

    def wide(record):
        return f"loss {record['finals']['loss']:.4f}, validation loss 0.09861, accuracy 1"
    code, out, err = run_main(lambda argv: booktools.runs.main(runs.__file__, runs.CURVES, argv, wide))
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[-2:] == ["what", "differed"] and len(lines[0]) <= 100
    assert lines[2].endswith("  lr 0.2") and all(len(line) <= 100 for line in lines)


def test_a_run_that_changed_only_a_view_flag_says_which(train_run, run_main):
    train_run("--lr", "0.2")
    train_run("--lr", "0.2", "--every", "5")  # the same training, printed more often
    train_run("--lr", "0.2", "--every", "5")
    code, out, err = run_main(runs.main)
    lines = out.splitlines()
    column = lines[0].index("what differed")
    assert [line[column:] for line in lines[2:]] == ["only --every", "same settings"]


def test_the_figure_draws_the_chosen_runs_side_by_side(train_run, run_main, drawn, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    train_run("--lr", "0.05")
    train_run("--lr", "0.2", "--epochs", "50")
    train_run("--bias", "0.5", script=train_linear)
    code, out, err = run_main(runs.main, "1", "2")
    assert code == 0 and err == ""
    # The chosen runs' lines of the table first, whole (the first one's command is longer than 100 columns).
    lines = out.splitlines()
    assert len(lines) == 3 and lines[0].split()[-6:] == ["what", "differed", "from", "the", "run", "before"]
    assert lines[1].endswith(f"  first: train.py {STEPS} --save {drawn_png(train_run)} --lr 0.05")
    assert len(lines[1]) > 100 and lines[2].endswith("  epochs 50, lr 0.2")
    fig = drawn["figure"]
    loss, accuracy = fig.axes
    assert [ax.get_title() for ax in fig.axes] == ["loss of runs 1, 2", "accuracy of runs 1, 2"]
    # Each run labelled with what sets it apart from the run before it (the first: from the second).
    assert legend(loss) == ["run 1: epochs 30, lr 0.05", "run 2: epochs 50, lr 0.2"]
    assert accuracy.get_legend() is None  # the same runs in every panel: one legend
    assert [len(line.get_xdata()) for line in loss.lines] == [30, 50]
    assert loss.get_yscale() == "log" and accuracy.get_yscale() == "linear"
    assert loss.get_xlabel() == accuracy.get_xlabel() == "epoch"
    assert loss.get_ylabel() == "loss (log scale)" and accuracy.get_ylabel() == "accuracy"
    ticks = [text.get_text() for text in loss.get_yticklabels() + loss.get_yticklabels(minor=True)]
    ticks = [text for text in ticks if text]
    assert ticks and all(re.fullmatch(r"[0-9.]+", text) for text in ticks), ticks  # 0.1, not 10^-1
    low, high = loss.get_xlim()
    assert all(tick == int(tick) for tick in loss.get_xticks() if low <= tick <= high)  # whole epochs
    assert drawn["name"] == "runs_1_2.png"

    # Panels only for the curves the chosen runs have: train_linear.py records the loss only.
    run_main(runs.main, "3")
    assert len(drawn["figure"].axes) == 1 and legend(drawn["figure"].axes[0]) == ["run 3"]
    run_main(runs.main, "--last", "2")
    assert [ax.get_title() for ax in drawn["figure"].axes] == ["loss of runs 2, 3", "accuracy of runs 2, 3"]
    assert legend(drawn["figure"].axes[1]) == []
    assert [line.get_label() for line in drawn["figure"].axes[1].lines] == ["run 2: train.py, epochs 50, lr 0.2"]
    run_main(runs.main, "--last", "9")  # more than there are: all of them
    assert drawn["figure"].axes[0].get_title() == "loss of runs 1, 2, 3"


def test_the_figure_is_saved_with_save(train_run, run_main, tmp_path):
    train_run()
    train_run("--lr", "0.2")
    png = tmp_path / "runs.png"
    code, out, err = run_main(runs.main, "1", "2", "--save", str(png))
    assert code == 0 and out.endswith(f"\nSaved figure to {png}\n") and png.read_bytes()[:4] == b"\x89PNG"
    assert len(out.splitlines()) == 4  # the header, runs 1 and 2, the figure


def test_the_figure_goes_to_the_chapters_outputs_where_no_window_can_open(train_run, chapter, runs_dir):
    train_run()
    train_run("--lr", "0.3")
    result = chapter("runs.py", "1", "2", env_extra={"RUNS_DIR": str(runs_dir)})
    png = chapter.folder / "outputs" / "runs_1_2.png"
    assert result.stdout.endswith(f"  lr 0.3\nSaved figure to {png}\n") and png.read_bytes()[:4] == b"\x89PNG"


def test_diff_prints_a_runs_code_change(train_run, run_main, runs_dir):
    train_run()
    train_run("--lr", "0.2")
    code, out, _ = run_main(runs.main, "--diff", "1")
    assert code == 0 and out == "Run 1: the first recorded run, no earlier code to compare with.\n"
    code, out, _ = run_main(runs.main, "--diff")  # the last run
    assert code == 0 and out == "Run 2: src/ is the same as in run 1.\n"
    # A change recorded with run 2 (written as a training run writes it).
    diff = "--- run 1/src/train.py\n+++ run 2/src/train.py\n@@ -1 +1 @@\n-a = 1\n+a = 2\n"
    (runs_dir / "0002" / "changes.diff").write_text(diff, encoding="utf-8")
    code, out, _ = run_main(runs.main, "--diff", "2")
    assert out == "Run 2: what changed in src/ since run 1\n" + diff
    (runs_dir / "0002" / "changes.diff").unlink()
    code, out, err = run_main(runs.main, "--diff")
    assert_one_line_error(code, err, "cannot read the code change of run 2")


def test_clear_asks_first(train_run, run_main, runs_dir, monkeypatch):
    train_run()
    train_run()
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    code, out, _ = run_main(runs.main, "--clear")
    assert code == 0 and out == f"Remove all 2 run records in {runs_dir}? [y/N] Nothing removed.\n"
    assert (runs_dir / "0002" / "record.json").exists()
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no one to answer: nothing removed
    code, out, _ = run_main(runs.main, "--clear")
    assert out.endswith("[y/N] Nothing removed.\n") and (runs_dir / "0001").exists()
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    code, out, _ = run_main(runs.main, "--clear")
    assert out.endswith("[y/N] Removed 2 run records.\n") and not (runs_dir / "0001").exists()
    train_run()
    (runs_dir / "notes.txt").write_text("mine", encoding="utf-8")  # only run folders are removed
    code, out, _ = run_main(runs.main, "--clear", "--yes")
    assert out == "Removed 1 run records.\n" and not (runs_dir / "0001").exists()
    assert (runs_dir / "notes.txt").read_text(encoding="utf-8") == "mine"
    code, out, _ = run_main(runs.main, "--clear", "--yes")
    assert code == 0 and out == "No runs recorded: nothing to remove.\n"


def test_bad_input_is_one_line_and_exit_2(train_run, run_main, runs_dir):
    train_run()
    train_run()
    for argv, words in [
            (["9"], "no run 9 in runs/ (runs 1 to 2 are recorded)"),
            (["1", "9"], "no run 9 in runs/"),
            (["--diff", "7"], "no run 7 in runs/"),
            (["--last", "0"], "--last must be 1 or more, got 0"),
            (["1", "--diff", "2"], "give run numbers, --last, --diff or --clear, one of them"),
            (["--last", "2", "--clear"], "one of them"),
            (["--yes"], "--yes goes with --clear"),
            (["x"], "argument N: invalid int value: 'x' (see --help)"),
            (["--last", "two"], "argument --last: invalid int value: 'two' (see --help)"),
            (["--save", "runs.jpg", "1"], "--save needs a .png file name")]:
        code, out, err = run_main(runs.main, *argv)
        assert_one_line_error(code, err, words)
        assert out == "", argv
    assert sorted(path.name for path in runs_dir.iterdir()) == ["0001", "0002"]  # nothing removed


def test_a_broken_record_is_listed_as_skipped(train_run, run_main, runs_dir):
    for lr in ["0.01", "0.02", "0.03"]:
        train_run("--lr", lr)
    (runs_dir / "0001" / "record.json").write_text("garbage {", encoding="utf-8")
    record = json.loads((runs_dir / "0002" / "record.json").read_text(encoding="utf-8"))
    record["finals"] = {"loss": "small"}  # hand-edited: not a number
    (runs_dir / "0002" / "record.json").write_text(json.dumps(record), encoding="utf-8")
    code, out, err = run_main(runs.main)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2 and lines[1].split()[0] == "3" and "first: train.py" in lines[1]
    assert err.splitlines() == [
        "skipped runs/0002/record.json: not a run record",
        "skipped runs/0001/record.json: JSONDecodeError: Expecting value: line 1 column 1 (char 0)"]
    code, out, err = run_main(runs.main, "1")
    assert code == 2 and err.splitlines()[-1] == "error: no run 1 in runs/ (runs 3 to 3 are recorded)"


def test_runs_with_no_curve_this_runs_py_draws_are_one_line(train_run, run_main, runs_dir):
    train_run()
    record = json.loads((runs_dir / "0001" / "record.json").read_text(encoding="utf-8"))
    record["curves"] = {"old name": record["curves"]["loss"]}  # recorded by an older version
    (runs_dir / "0001" / "record.json").write_text(json.dumps(record), encoding="utf-8")
    code, out, err = run_main(runs.main, "1")
    assert_one_line_error(code, err, "run 1 recorded no curve that runs.py draws (it draws loss, accuracy)")
