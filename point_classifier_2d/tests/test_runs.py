"""train.py records every run in runs/; --compare draws earlier runs behind this one;
runs.py lists and draws this chapter's records. How records are kept, labelled and
read back is booktools' (booktools/tests)."""
import json

import pytest

import runs
import train
import booktools.figures
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
    monkeypatch.setattr(booktools.figures, "show_figure", lambda fig, args: shown.update(figure=fig))
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
    # A compared figure says so in its legend only: its header keeps the flags changed from the defaults.
    assert final_figure["figure"].get_suptitle() == "train.py: epochs 201, seed 1"
    assert final_figure["figure"].axes[0].get_title() == "simple model (2-1) on linear.csv"


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


def test_the_live_window_shows_the_earlier_runs(x_display, train_run):
    train_run("--lr", "0.01")
    code, _, err, report = run_in_window(x_display, CURVE, "simple", "--epochs", "101", "--compare",
                                         "--compare-all")
    assert code == 0, err
    assert "Traceback" not in err
    assert "run 1: linear.csv, epochs 201, lr 0.01" in report["live_lines"] and "this run: curve.csv, epochs 101, lr 0.003" in report["live_lines"]
    assert report["blits_on_screen"] > 1
