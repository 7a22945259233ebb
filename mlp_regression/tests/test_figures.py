"""What the figure says (one meaning per colour, R^2, what ran: the flags and the code the
reader changed, readable log axis), where the README's commands write, and that --help
answers without loading the rest."""
import re
import runpy
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from matplotlib.colors import to_hex

import booktools.figures
import figures.training as train_figures
import train

CHAPTER_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture
def figure(monkeypatch, capsys):
    """Runs train.py (or an edited copy's main) with the given flags; returns (printed text,
    the figure it would show, drawn: tick labels exist only then)."""
    kept = []
    monkeypatch.setattr(booktools.figures, "save_figure", lambda fig, *args: None)
    monkeypatch.setattr(booktools.figures, "show_figure", lambda fig, *args: kept.append(fig))

    def run(*argv, main=train.main):
        main([*argv, "--no-show"])
        kept[-1].canvas.draw()
        return capsys.readouterr().out, kept[-1]
    return run


def colours(ax):
    """Colour of each series (lines and scatter markers, edges of hollow ones) -> its label."""
    found = {}
    for line in ax.get_lines():
        found.setdefault(to_hex(line.get_color()), set()).add(line.get_label())
    for points in ax.collections:
        rgba = points.get_facecolors() if len(points.get_facecolors()) else points.get_edgecolors()
        found.setdefault(to_hex(rgba[0], keep_alpha=False), set()).add(points.get_label())
    return found


def test_one_meaning_per_colour_and_r2_on_the_figure(figure):
    out, fig = figure("--epochs", "20")
    ax_loss, ax_pred = fig.axes
    meaning = {}
    for ax in (ax_loss, ax_pred):
        for colour, labels in colours(ax).items():
            meaning.setdefault(colour, set()).update(labels)
    # training rows blue; test rows (MLP) orange on both sides; linear regression gray; y = x black
    assert meaning[to_hex(train_figures.TRAIN_COLOR)] == {"MLP, training rows"}
    assert {label.split(" (")[0] for label in meaning[to_hex(train_figures.TEST_COLOR)]} == {
        "MLP, test rows", "MLP"}
    assert {label.split(" (")[0] for label in meaning[to_hex(train_figures.LINEAR_COLOR)]} == {
        "linear regression"}
    mlp, linear = re.search(r"^Test R\^2: MLP (\S+), linear regression (\S+)$", out, re.M).groups()
    legend = [t.get_text() for t in ax_pred.get_legend().get_texts()]
    assert f"MLP ($R^2$ = {mlp})" in legend and f"linear regression ($R^2$ = {linear})" in legend


def test_the_titles_name_the_flags_that_changed_the_run(figure):
    _, fig = figure("--epochs", "20", "--hidden", "2", "--lr", "0.05", "--predict", "60", "2", "3")
    assert fig.get_suptitle() == "train.py: epochs 20, lr 0.05, hidden 2"
    assert fig.axes[0].get_title() == "Learning curves (3-2-1 MLP, SGD lr=0.05)"
    _, fig = figure("--epochs", "200", "--batch-size", "16")  # the defaults, spelled out
    assert fig.get_suptitle() == "train.py (default settings)"
    assert fig.axes[0].get_title() == "Learning curves (3-16-1 MLP, SGD lr=0.01)"


@pytest.fixture
def edited_copy(tmp_path):
    """A copy of the chapter whose src/train.py the test edits as a reader would; its main()
    is run in-process (the copy's runs/ and src.sha256 say what changed)."""
    copy = tmp_path / "mlp_regression"
    shutil.copytree(CHAPTER_DIR / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(CHAPTER_DIR / "data", copy / "data")
    shutil.copy(CHAPTER_DIR / "src.sha256", copy)
    script = copy / "src" / "train.py"

    def edit(old, new):
        code = script.read_text(encoding="utf-8")
        assert old in code
        script.write_text(code.replace(old, new), encoding="utf-8")

    def main(argv):
        runpy.run_path(str(script), run_name="edited_train")["main"](argv)
    return edit, main


@pytest.mark.parametrize("edits, title, changed", [
    ([("nn.Linear(3, hidden)", "nn.Linear(3, 2)"), ("nn.Linear(hidden, 1)", "nn.Linear(2, 1)")],
     "Learning curves (3-2-1 MLP, SGD lr=0.01)", "Linear(3, 2)"),
    ([("lr=args.lr)", "lr=0.1)")], "Learning curves (3-16-1 MLP, SGD lr=0.1)", "lr 0.1"),
])
def test_the_titles_follow_an_edit_of_the_code(figure, edited_copy, edits, title, changed):
    """The network and the optimizer are read from what ran, not from --hidden and --lr; the
    header says the code changed; the long code-change label keeps the legend in its panel."""
    edit, main = edited_copy
    _, fig = figure("--epochs", "5", main=main)  # the code as it ships: the run the edit is told from
    assert fig.get_suptitle() == "train.py: epochs 5"  # the code as it ships says nothing
    for old, new in edits:
        edit(old, new)
    _, fig = figure("--epochs", "5", "--compare", main=main)
    ax_loss = fig.axes[0]
    assert ax_loss.get_title() == title
    assert fig.get_suptitle().startswith("train.py: epochs 5, ") and changed in fig.get_suptitle()
    legend = ax_loss.get_legend()
    assert any(changed in text.get_text() for text in legend.get_texts())  # this run's label
    renderer = fig.canvas.get_renderer()
    inside, frame = legend.get_window_extent(renderer), ax_loss.get_window_extent(renderer)
    assert frame.x0 <= inside.x0 and inside.x1 <= frame.x1 and frame.y0 <= inside.y0 and inside.y1 <= frame.y1


def test_log_axis_labels_the_values_the_readme_quotes(figure):
    out, fig = figure("--hidden", "2", "--epochs", "60")
    ax_loss = fig.axes[0]
    low, high = ax_loss.get_ylim()
    shown = {t.get_text(): t.get_position()[1] for t in ax_loss.get_yticklabels() + ax_loss.get_yticklabels(minor=True)
             if t.get_text() and low <= t.get_position()[1] <= high}
    assert all(re.fullmatch(r"[0-9.]+", text) for text in shown)  # 0.07, not 7x10^-2
    # The plateau of 3-2-1 (0.07-0.08) can be read off: labelled ticks just below and above it.
    assert any(0.05 <= value <= 0.07 for value in shown.values()) and "0.1" in shown
    # The last losses are written at the curves' ends, as printed.
    last = re.findall(r"^Epoch 60, Train Loss: (\S+), Test Loss: (\S+)$", out, re.M)[0]
    assert set(last) <= {t.get_text() for t in ax_loss.texts}


@pytest.mark.parametrize("flag", ["--help", "--epoks"])
def test_help_and_a_mistyped_flag_load_only_torch(flag):
    code = ("import runpy, sys\n"
            f"sys.argv = ['train.py', '{flag}']\n"
            "sys.path.insert(0, 'src')\n"
            "try:\n"
            "    runpy.run_path('src/train.py', run_name='__main__')\n"
            "except SystemExit:\n"
            "    pass\n"
            "print('loaded:', sorted({'matplotlib', 'sklearn'} & set(sys.modules)))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=CHAPTER_DIR, capture_output=True,
                            text=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "loaded: []"


def readme_commands():
    text = (CHAPTER_DIR / "README.md").read_text("utf-8")
    blocks = re.findall(r"^```(?:sh|bash)\n(.*?)^```", text, re.S | re.M)
    return [line.strip() for block in blocks for line in block.splitlines()
            if line.strip().startswith("uv run ")]


def written_files(command):
    words = shlex.split(command)
    return [value for flag, value in zip(words, words[1:]) if flag in ("--save", "--out")]


def test_readme_commands_write_only_under_outputs():
    commands = readme_commands()
    assert any(written_files(c) for c in commands)
    for command in commands:
        for path in written_files(command):
            assert path.startswith("outputs/"), command


def test_make_images_script_makes_every_figure_of_the_readme():
    readme = (CHAPTER_DIR / "README.md").read_text("utf-8")
    script = (CHAPTER_DIR / "images" / "make_images.sh").read_text("utf-8")
    assert "images/make_images.sh" in (CHAPTER_DIR / "NOTES.md").read_text("utf-8")
    made = {path for line in script.splitlines() if line.startswith("uv run ")
            for path in written_files(line)}
    shown = set(re.findall(r"\]\((images/[^)]+)\)", readme))
    assert shown and shown <= made
    assert made <= {f"images/{p.name}" for p in (CHAPTER_DIR / "images").iterdir()}
