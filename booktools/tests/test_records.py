"""booktools.records: every training run is recorded in runs/; --compare draws earlier runs
behind this one, each labelled with what it had that this run has not."""
import errno
import json
import os
import shlex
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import booktools.figures
import runs
import train
import train_linear
from booktools import records
from booktools.cli import Parser
from conftest import CHAPTER_DIR, STEPS, WIDE, assert_one_line_error, epoch_losses


@pytest.fixture
def final_figure(monkeypatch):
    """The final figure of the next training run, kept open for the test."""
    import matplotlib.pyplot as plt

    shown = {}

    def keep(fig, args):
        if "figure" in shown:
            plt.close(shown["figure"])  # the one kept before
        shown["figure"] = fig
    monkeypatch.setattr(booktools.figures, "show_figure", keep)  # (finish_run's last step)
    yield shown
    plt.close("all")


def labels(fig):
    return [line.get_label() for line in fig.axes[0].lines if not line.get_label().startswith("_")]


def read(folder):
    return json.loads((folder / "record.json").read_text(encoding="utf-8"))


def test_a_record_holds_the_command_flags_seconds_finals_curves_figure_and_code(train_run, runs_dir, tmp_path):
    png = tmp_path / "figure.png"
    out, err = train_run("--lr", "0.05", "--epochs", "40", "--limit", "5")
    assert err == ""
    folder = runs_dir / "0001"
    record = read(folder)
    assert record["number"] == 1 and record["script"] == "train.py"
    assert record["command"] == shlex.join(["train.py", STEPS, "--save", str(png), "--lr", "0.05",
                                            "--epochs", "40", "--limit", "5"])
    assert record["data"] == STEPS and record["data_flag"] == "csv"
    assert record["flags"]["lr"] == 0.05 and record["flags"]["epochs"] == 40 and record["flags"]["limit"] == 5
    assert record["flags"]["save"] == str(png)  # a path, as text
    assert "every" in record["view_flags"] and "save" in record["view_flags"]
    assert record["none_text"] == {"limit": "all"}
    assert record["started"][:2] == "20" and record["started"][10] == "T"
    assert 0 < record["seconds"] < 60
    assert record["epochs_run"] == 40
    # The final loss as printed, the curves epoch by epoch.
    assert record["finals"]["loss"] == record["curves"]["loss"]["value"][-1]
    assert record["curves"]["loss"]["epoch"] == list(range(40))
    printed = dict(epoch_losses(out))
    assert record["curves"]["loss"]["value"][30] == printed[30]
    assert record["finals"]["accuracy"] == pytest.approx(1 / (1 + record["finals"]["loss"]))
    # The figure is the PNG the run saved; the code is every .py file of src/, subfolders too.
    assert (folder / "figure.png").read_bytes() == png.read_bytes()
    for name in ["train.py", "train_linear.py", "runs.py", "figures/curve.py", "figures/__init__.py"]:
        assert (folder / "src" / name).read_text(encoding="utf-8") == \
            (CHAPTER_DIR / "src" / name).read_text(encoding="utf-8"), name
    assert not list((folder / "src").rglob("__pycache__"))
    assert record["changes_since"] is None and record["code_change"] == ""
    assert (folder / "changes.diff").read_text(encoding="utf-8") == ""
    assert sorted(path.name for path in folder.iterdir()) == ["changes.diff", "figure.png", "record.json", "src"]

    train_run()
    record = read(runs_dir / "0002")
    assert record["number"] == 2 and record["changes_since"] == 1 and record["code_change"] == ""
    assert record["flags"]["limit"] is None


def test_the_code_recorded_is_the_code_that_started_the_run(tmp_path):
    """The reader may edit src/ while a run trains: the record keeps what ran."""
    src = tmp_path / "mine" / "src"
    (src / "helpers").mkdir(parents=True)
    (src / "fit.py").write_text("rate = 0.1\n", encoding="utf-8")
    (src / "helpers" / "plot.py").write_text("size = 3\n", encoding="utf-8")
    parser = Parser(src / "fit.py")
    parser.add_argument("--epochs", type=int, default=3)
    records.add_compare_flags(parser)
    args = parser.parse_args(["--epochs", "2"])
    record = records.start_record(args)
    (src / "fit.py").write_text("rate = 0.5\n", encoding="utf-8")
    # numpy's and torch's own numbers are stored as plain ones (a float32 is not JSON)
    record.finish({"loss": np.array([0.5, 0.25], dtype=np.float32)},
                  {"loss": np.float32(0.25), "accuracy": np.float64(0.75)})  # no figure: none recorded
    folder = Path(os.environ["RUNS_DIR"]) / "0001"
    assert read(folder)["finals"] == {"loss": 0.25, "accuracy": 0.75}
    assert read(folder)["curves"]["loss"]["value"] == [0.5, 0.25]
    assert (folder / "src" / "fit.py").read_text(encoding="utf-8") == "rate = 0.1\n"
    assert (folder / "src" / "helpers" / "plot.py").read_text(encoding="utf-8") == "size = 3\n"
    assert not (folder / "figure.png").exists()
    assert read(folder)["command"] == "fit.py --epochs 2" and read(folder)["script"] == "fit.py"


def test_thinning_keeps_the_shape_and_a_one_epoch_spike():
    values = 0.7 * np.exp(-np.arange(20001) / 3000) + 0.01
    values[12345] = 5.0
    thinned = records.thin(values)
    assert len(thinned["epoch"]) <= 2000
    assert thinned["epoch"][0] == 0 and thinned["epoch"][-1] == 20000
    assert thinned["value"][thinned["epoch"].index(12345)] == 5.0
    # Between the kept points the curve is as it was (a smooth decay: within 1 %).
    assert np.allclose(np.interp(np.arange(20001), thinned["epoch"], thinned["value"])[:12000],
                       values[:12000], rtol=0.01)
    # Epochs counted from 1 (as train_mlp.py prints them): the numbers move, the points do not.
    shorter = 0.7 * np.exp(-np.arange(5000) / 800) + 0.01
    shorter[3210] = 5.0
    from_one = records.thin(shorter, first_epoch=1)
    assert from_one["epoch"][0] == 1 and from_one["epoch"][-1] == 5000
    assert from_one["value"][from_one["epoch"].index(3211)] == 5.0
    assert records.thin([0.5, 0.4, 0.3]) == {"epoch": [0, 1, 2], "value": [0.5, 0.4, 0.3]}
    assert records.thin([0.5, 0.4], first_epoch=1) == {"epoch": [1, 2], "value": [0.5, 0.4]}
    assert records.thin([]) == {"epoch": [], "value": []}


@pytest.mark.parametrize("length", [2000, 2001, 2002, 2999, 3000, 4001, 20001])
def test_a_thinned_curve_has_at_most_2000_points(length):
    values = np.random.default_rng(length).standard_normal(length)  # the worst case: no order
    thinned = records.thin(values)
    assert len(thinned["epoch"]) <= records.MOST_POINTS
    assert thinned["epoch"][0] == 0 and thinned["epoch"][-1] == length - 1
    assert max(thinned["value"]) == values.max() and min(thinned["value"]) == values.min()


def run_record(**changes):
    """A record as records.read_record gives it, with changes."""
    record = {"script": "train.py", "data": "/book/data/steps.csv", "data_flag": "csv",
              "view_flags": ["compare", "every", "gif", "save"], "none_text": {"limit": "all"},
              "flags": {"csv": "data/steps.csv", "epochs": 30, "lr": 0.1, "limit": None, "every": 10,
                        "save": None, "gif": None, "compare": None},
              "code": {"train.py": "fc1 = Linear(2, 128)\n"}}
    for key, value in changes.items():
        record[key] = {**record[key], **value} if key == "flags" else value
    return record


@pytest.mark.parametrize("changes, other_changes, expected", [
    ({}, {}, "same settings"),
    ({"flags": {"lr": 0.01}}, {}, "lr 0.01"),
    ({"flags": {"epochs": 300, "lr": 0.01}}, {}, "epochs 300, lr 0.01"),
    # a flag left at None reads as the chapter types it ("all"), or "none"
    ({}, {"flags": {"limit": 5}}, "limit all"),
    ({"none_text": {}}, {"flags": {"limit": 5}}, "limit none"),
    ({"flags": {"limit": 5}}, {}, "limit 5"),
    # where the output went is no difference (the chapter's own view flags too)
    ({"flags": {"save": "a.png", "gif": "a.gif", "compare": 2, "every": 1}}, {}, "same settings"),
    # the data file: by name, once (not as a flag)
    ({"data": "/book/data/wide.csv", "flags": {"csv": "data/wide.csv"}}, {}, "wide.csv"),
    ({"data": "/book/data/wide.csv", "flags": {"csv": "data/wide.csv", "lr": 0.2}}, {}, "wide.csv, lr 0.2"),
    # the partner script: by name; its own flags go with its name
    ({"script": "train_linear.py", "flags": {"bias": 0.3}}, {}, "train_linear.py"),
    ({"script": "train_linear.py", "flags": {"bias": 0.3, "lr": 0.2}}, {}, "train_linear.py, lr 0.2"),
    ({}, {"script": "train_linear.py", "flags": {"bias": 0.3}}, "train.py"),
    # the code: what this run's code had, without the file name of the script both ran
    ({"code": {"train.py": "fc1 = Linear(2, 64)\n"}}, {}, "fc1 Linear(2, 64)"),
    ({"flags": {"lr": 0.01}, "code": {"train.py": "fc1 = Linear(2, 64)\n"}}, {},
     "lr 0.01, fc1 Linear(2, 64)"),
    # another script ran: each file is named
    ({"script": "train_linear.py", "code": {"train.py": "fc1 = Linear(2, 64)\n"}}, {},
     "train_linear.py, train.py: fc1 Linear(2, 64)"),
    # a record whose code is lost (src/ deleted by hand): nothing said about the code
    ({"code": None}, {"code": {"train.py": "fc1 = Linear(2, 64)\n"}}, "same settings"),
])
def test_differences_say_what_one_run_had_that_the_other_had_not(changes, other_changes, expected):
    assert records.differences(run_record(**changes), run_record(**other_changes)) == expected


def test_differences_of_a_record_without_view_flags_leave_out_the_common_ones():
    """A record written before a chapter recorded its view flags: booktools' own are left out."""
    old = run_record(flags={"save": "a.png", "no_show": True, "lr": 0.3})
    del old["view_flags"]
    assert records.differences(old, run_record(flags={"no_show": False})) == "lr 0.3"


BOOK = """\
def train_model(model, points, labels, epochs, lr, live):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr,  # no late spikes
                                 betas=(0.9, 0.95), eps=1e-4)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, epochs)
    for epoch in range(epochs):
        optimizer.step()
        scheduler.step()  # the next epoch's lr


class Complex(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(2, 128)
        self.fc2 = torch.nn.Linear(128, 128)

    def forward(self, data):
        data = self.fc1(data)
        data = torch.relu(data)
        data = self.fc2(data)
        return data
"""


def edited(*changes):
    text = BOOK
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    return {"train.py": text}


@pytest.mark.parametrize("changes, label, back", [
    # a keyword value changed, in a call that runs over two lines: the keyword and its value
    ([("lr=lr,", "lr=0.03,")], "lr 0.03", "lr=lr"),
    ([("lr=lr,", "lr=0.03,"), ("eps=1e-4", "eps=1e-8")], "lr 0.03, eps 1e-8", "lr=lr, eps 1e-4"),
    ([("betas=(0.9, 0.95), ", "")], "no betas", "betas (0.9, 0.95)"),
    # an assignment: the name assigned (without self.), the constructor without its module
    ([("Linear(2, 128)", "Linear(2, 64)")], "fc1 Linear(2, 64)", "fc1 Linear(2, 128)"),
    ([("Linear(2, 128)", "Linear(2, 64)"), ("Linear(128, 128)", "Linear(64, 128)")],
     "fc1 Linear(2, 64), fc2 Linear(64, 128)", "fc1 Linear(2, 128), fc2 Linear(128, 128)"),
    ([("torch.optim.Adam(", "torch.optim.SGD(")],
     "optimizer SGD(model.parameters(), lr=lr, betas=(0.9, 0.95), eps=1e-4)",
     "optimizer Adam(model.parameters(), lr=lr, betas=(0.9, 0.95), eps=1e-4)"),
    # a statement commented out or removed: "no" and the statement, its object kept
    ([("        scheduler.step()", "        # scheduler.step()")], "no scheduler.step()", "scheduler.step()"),
    ([("        scheduler.step()  # the next epoch's lr\n", "")], "no scheduler.step()", "scheduler.step()"),
    ([("        data = torch.relu(data)\n", "")], "no torch.relu(data)", "torch.relu(data)"),
    ([("        data = self.fc2(data)\n", "")], "no self.fc2(data)", "self.fc2(data)"),
    ([("        data = self.fc1(data)\n", "        print(data.shape)\n        data = self.fc1(data)\n")],
     "print(data.shape)", "no print(data.shape)"),
    ([("range(epochs)", "range(100)")], "for epoch in range(100)", "for epoch in range(epochs)"),
    # the same statement out of the loop: moved
    ([("        scheduler.step()  # the next", "    scheduler.step()  # the next")], "scheduler.step() moved",
     "scheduler.step() moved"),
    # two of the same line, one removed: said once, the other kept
    ([("        data = self.fc2(data)\n", "        data = torch.relu(data)\n        data = self.fc2(data)\n")],
     "torch.relu(data)", "no torch.relu(data)"),
    # comments and docstrings are no code
    ([("# no late spikes", "# steadier")], "comments", "comments"),
])
def test_code_label_says_what_changed_in_words(changes, label, back):
    new = edited(*changes)
    assert records.code_label({"train.py": BOOK}, new, "train.py") == label
    assert records.code_label(new, {"train.py": BOOK}, "train.py") == back
    # A file other than the script that ran is named.
    assert records.code_label({"train.py": BOOK}, new) == f"train.py: {label}"


@pytest.mark.parametrize("old, new, expected", [
    # an assignment that is no constructor reads as code; a step that passes its name on, as the step
    ({"train.py": "h = F.relu(u)\n"}, {"train.py": "h = u\n"}, "h = u"),
    ({"train.py": "h = u\n"}, {"train.py": "h = F.relu(u)\n"}, "h = F.relu(u)"),
    ({"train.py": "x = x.view(-1, 16)\n"}, {"train.py": "x = x.view(-1, 32)\n"}, "x.view(-1, 32)"),
    ({"train.py": "rate = 0.1\n"}, {"train.py": "rate = 0.5\n"}, "rate 0.5"),
    # the same text twice is said once
    ({"train.py": "x = f(1)\ny = f(1)\n"}, {"train.py": "x = f(2)\ny = f(2)\n"}, "x = f(2), y = f(2)"),
    ({"train.py": "a = 1\nlayers.append(nn.Dropout(0.2))\nb = 2\n"}, {"train.py": "a = 1\nb = 2\n"},
     "no layers.append(Dropout(0.2))"),
    # a docstring is no code either
    ({"train.py": '"""One."""\na = 1\n'}, {"train.py": '"""Two."""\na = 1\n'}, "comments"),
    # files added or removed, in subfolders too, each file named; the script's own change first
    ({"train.py": "a = 1\n"}, {"train.py": "a = 1\n", "figures/extra.py": "b = 2\n"}, "figures/extra.py added"),
    ({"train.py": "a = 1\n", "figures/extra.py": "b = 2\n"}, {"train.py": "a = 1\n"}, "figures/extra.py removed"),
    ({"train.py": "a = 1\n", "figures/curve.py": "w = 3\n"}, {"train.py": "a = 2\n", "figures/curve.py": "w = 4\n"},
     "a 2; figures/curve.py: w 4"),
    ({"train.py": "a = 1\n"}, {"train.py": "a = 1\n"}, ""),
    # half an edit (Python cannot read it): line by line, comments cut off
    ({"train.py": "a = f(1)\n"}, {"train.py": "a = f(1,  # more\n"}, "a = f(1,"),
])
def test_code_label_of_small_files(old, new, expected):
    assert records.code_label(old, new, "train.py") == expected


def test_a_long_code_label_says_how_many_more():
    new = "\n".join(f"value_{n} = compute_something_long({n})" for n in range(10))
    label = records.code_label({"train.py": ""}, {"train.py": new}, "train.py")
    assert label == ("value_0 = compute_something_long(0), value_1 = compute_something_long(1) (+8 more)")
    assert ",," not in label
    one = f"x = f({'1, ' * 40}1)"
    label = records.code_label({"train.py": ""}, {"train.py": one}, "train.py")
    assert label.endswith("...") and len(label) == records.LABEL_CHARS


def test_flag_and_code_changes_are_labelled_in_a_copy_of_the_chapter(chapter, run_main, monkeypatch):
    """As the reader works: two runs, then the model edited (in train.py and in a subfolder)."""
    short = ["./data/steps.csv", "--no-show"]
    chapter("train.py", *short)
    chapter("train.py", *short, "--lr", "0.05")
    train_py = chapter.folder / "src" / "train.py"
    code = train_py.read_text(encoding="utf-8")
    assert "self.fc1 = Linear(2, 128)" in code and "self.fc2 = Linear(128, 1)" in code
    train_py.write_text(code.replace("Linear(2, 128)", "Linear(2, 64)").replace("Linear(128, 1)", "Linear(64, 1)"),
                        encoding="utf-8")
    curve_py = chapter.folder / "src" / "figures" / "curve.py"
    curve_py.write_text(curve_py.read_text(encoding="utf-8").replace("figsize=(6, 4)", "figsize=(7, 4)"),
                        encoding="utf-8")
    result = chapter("train.py", *short, "--lr", "0.05", "--compare", "2")
    assert "Model: Linear(2, 64) -> Linear(64, 1), parameters: 257" in result.stdout  # the edited code ran
    assert result.stderr == ""

    monkeypatch.setenv("RUNS_DIR", str(chapter.folder / "runs"))  # runs.py in-process, on the copy's runs

    def runs_py(*argv):
        code, out, err = run_main(runs.main, *argv)
        assert code == 0 and err == "", err
        return out

    monkeypatch.setenv("COLUMNS", "200")  # the whole label on a wide terminal
    table = runs_py().splitlines()
    assert len(table) == 4
    assert table[1].split()[0] == "1" and table[1].endswith("  first: train.py ./data/steps.csv --no-show")
    assert table[2].split()[0] == "2" and table[2].endswith("  lr 0.05")
    assert table[3].split()[0] == "3" and table[3].endswith(
        "  fc1 Linear(2, 64), fc2 Linear(64, 1); figures/curve.py: figsize (7, 4)")

    diff = runs_py("--diff", "3")
    assert diff.startswith("Run 3: what changed in src/ since run 2\n")
    assert "--- run 2/src/train.py\n+++ run 3/src/train.py\n" in diff
    assert "-        self.fc1 = Linear(2, 128)\n" in diff and "+        self.fc1 = Linear(2, 64)\n" in diff
    assert "+        self.fc2 = Linear(64, 1)\n" in diff
    assert "+++ run 3/src/figures/curve.py\n" in diff and "+    fig, ax = plt.subplots(figsize=(7, 4))\n" in diff
    assert runs_py("--diff", "2") == "Run 2: src/ is the same as in run 1.\n"

    # The labels --compare gave run 3's earlier curves: what each had that run 3 has not.
    problems = []
    first, second, third = records.read_records(chapter.folder / "runs", problems)
    assert problems == [] and third["code_change"] == \
        "fc1 Linear(2, 64), fc2 Linear(64, 1); figures/curve.py: figsize (7, 4)"
    assert records.differences(first, third) == \
        "lr 0.1, fc1 Linear(2, 128), fc2 Linear(128, 1); figures/curve.py: figsize (6, 4)"
    assert records.differences(second, third) == "fc1 Linear(2, 128), fc2 Linear(128, 1); figures/curve.py: figsize (6, 4)"


def test_compare_draws_the_last_runs_of_the_same_data_labelled(train_run, final_figure):
    train_run("--lr", "0.05")
    train_run()
    train_run(data=WIDE)  # other data: not compared unless asked
    out, _ = train_run("--lr", "0.2", "--compare", "3")
    assert labels(final_figure["figure"]) == ["run 1: lr 0.05", "run 2: lr 0.1", "this run: lr 0.2"]
    assert "No earlier run" not in out
    # The labels are printed too (one line each), for a reader who looks at the terminal.
    assert "Compared with run 1: lr 0.05\nCompared with run 2: lr 0.1\n" in out
    # Each earlier run's curve is drawn, faded, behind this run's.
    earlier = final_figure["figure"].axes[0].lines[:2]
    assert [len(line.get_xdata()) for line in earlier] == [30, 30] and earlier[0].get_alpha() == 0.45

    train_run("--compare", "1")
    assert labels(final_figure["figure"]) == ["run 4: lr 0.2", "this run: lr 0.1"]  # the last one

    train_run("--compare-all", "--compare", "2", "--seed", "1")
    assert labels(final_figure["figure"]) == ["run 4: lr 0.2, seed 0", "run 5: seed 0", "this run: seed 1"]
    train_run("--compare-all", "--lr", "0.3")  # --compare-all alone: the last run, whatever its data
    assert labels(final_figure["figure"]) == ["run 6: lr 0.1, seed 1", "this run: lr 0.3, seed 0"]
    train_run("--compare-all", "--compare", "7")
    assert labels(final_figure["figure"])[2] == "run 3: wide.csv"
    # A compared figure says so in its legend only: its title keeps the flags that changed.
    assert final_figure["figure"].get_suptitle() == "train.py (default settings)"


def test_compare_takes_the_partner_scripts_runs_too(train_run, final_figure):
    train_run("--bias", "0.3", script=train_linear)
    train_run("--compare")
    # --bias is train_linear.py's own flag: the script's name says it (and its one layer).
    assert labels(final_figure["figure"]) == ["run 1: train_linear.py", "this run: train.py"]
    out, _ = train_run("--compare", "2", "--lr", "0.2", script=train_linear)
    assert labels(final_figure["figure"]) == ["run 1: lr 0.1, bias 0.3", "run 2: train.py, lr 0.1",
                                              "this run: train_linear.py, lr 0.2"]


def test_compare_with_no_earlier_run_shows_this_run_only(train_run, final_figure):
    out, err = train_run("--compare")
    assert ("No earlier run of train.py or train_linear.py on steps.csv in runs/ to compare with: "
            "showing this run only.\n") in out
    assert err == "" and labels(final_figure["figure"]) == ["loss"]  # this run's curve, no other
    out, _ = train_run("--compare", data=WIDE)  # run 1 is on other data
    assert "No earlier run of train.py or train_linear.py on wide.csv in runs/" in out
    out, _ = train_run("--compare", "--compare-all")
    assert "No earlier run" not in out and labels(final_figure["figure"]) == ["run 2: wide.csv", "this run: steps.csv"]


def test_compare_with_no_runs_at_all_and_every_data_file(train_run):
    out, _ = train_run("--compare-all")
    assert "No earlier run of train.py or train_linear.py in runs/ to compare with: showing this run only." in out


@pytest.mark.parametrize("value", ["0", "x", "-1", "1.5"])
def test_bad_compare_value(run_main, value):
    code, out, err = run_main(train.main, STEPS, "--compare", value)
    assert_one_line_error(code, err, "argument --compare: --compare needs a number of earlier runs, 1 or more, "
                                     f"got '{value}' (see --help)")
    assert "Epoch" not in out


def test_a_broken_record_gives_one_warning_and_the_others_are_used(train_run, runs_dir, tmp_path, final_figure):
    for lr in ["0.01", "0.02", "0.03", "0.04"]:
        train_run("--lr", lr)
    (runs_dir / "0001" / "record.json").write_text("garbage {", encoding="utf-8")
    record = read(runs_dir / "0002")
    record["finals"] = {"loss": "small"}  # hand-edited: not a number
    (runs_dir / "0002" / "record.json").write_text(json.dumps(record), encoding="utf-8")
    (runs_dir / "0003" / "record.json").unlink()  # a run that never finished

    (tmp_path / "figure.png").unlink()
    out, err = train_run("--compare", "5")
    assert err.count("\n") == 1 and err.startswith("warning: runs/: skipped ")
    assert "runs/0001/record.json" in err and "runs/0002/record.json: not a run record" in err
    assert "runs/0003/: no record.json" in err
    assert labels(final_figure["figure"]) == ["run 4: lr 0.04", "this run: lr 0.1"]  # the good one is still drawn
    assert (tmp_path / "figure.png").exists()  # trained and drew as before
    assert read(runs_dir / "0005")["changes_since"] == 4  # and was recorded


@pytest.mark.parametrize("damage", [b"\x00\xff garbage", b"[1, 2]", b'{"flags": {}, "finals": {}}'])
def test_read_record_names_a_broken_record(runs_dir, damage):
    (runs_dir / "0007").mkdir(parents=True)
    (runs_dir / "0007" / "record.json").write_bytes(damage)
    problems = []
    assert records.read_records(runs_dir, problems) == []
    assert len(problems) == 1 and problems[0].startswith("skipped runs/0007/record.json: ")


@pytest.mark.parametrize("trouble", ["runs is a file", "read-only", "disk full"])
def test_a_runs_folder_that_cannot_be_written_gives_one_warning(train_run, runs_dir, monkeypatch, tmp_path,
                                                               trouble):
    if trouble == "runs is a file":
        runs_dir.write_text("not a folder", encoding="utf-8")  # works as root too, unlike chmod
    else:  # (patched: root may write into a read-only folder)
        code = errno.EACCES if trouble == "read-only" else errno.ENOSPC

        def cannot(*args, **kwargs):
            raise OSError(code, os.strerror(code), str(runs_dir / "0001" / "record.tmp"))
        monkeypatch.setattr(records.Path, "write_text", cannot)
    out, err = train_run("--compare")
    assert err.count("\n") == 1 and err.startswith("warning: runs/: this run was not recorded (")
    assert "Traceback" not in err
    if trouble != "runs is a file":
        assert os.strerror(code) in err
    assert f"Saved figure to {tmp_path / 'figure.png'}" in out and "Epoch 20, Loss: " in out
    monkeypatch.undo()
    assert runs_dir.is_file() if trouble == "runs is a file" else not (runs_dir / "0001").exists()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root writes into read-only folders (the test above patches instead)")
def test_a_read_only_runs_folder(train_run, runs_dir):
    runs_dir.mkdir()
    runs_dir.chmod(0o555)
    try:
        out, err = train_run()
    finally:
        runs_dir.chmod(0o755)
    assert err.startswith("warning: runs/: this run was not recorded (Permission denied")
    assert err.count("\n") == 1 and "Saved figure to" in out


def test_two_runs_at_once_are_both_recorded(runs_dir, tmp_path):
    # Two real processes, started together ...
    def start(seed):
        return subprocess.Popen([sys.executable, "./src/train.py", "./data/steps.csv", "--seed", seed,
                                 "--save", str(tmp_path / f"{seed}.png")],
                                cwd=CHAPTER_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    processes = [start("1"), start("2")]
    for process in processes:
        _, err = process.communicate(timeout=120)
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


def test_runs_go_to_runs_dir_where_it_is_set(train_run, runs_dir):
    """RUNS_DIR (the tests set it for every test) puts the records elsewhere; unset, they go
    to the chapter's runs/ (test_figures.py runs the chapter that way)."""
    before = sorted((CHAPTER_DIR / "runs").iterdir()) if (CHAPTER_DIR / "runs").exists() else None
    train_run("--seed", "5")
    assert read(runs_dir / "0001")["flags"]["seed"] == 5
    after = sorted((CHAPTER_DIR / "runs").iterdir()) if (CHAPTER_DIR / "runs").exists() else None
    assert after == before
