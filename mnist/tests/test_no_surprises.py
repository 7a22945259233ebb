"""What the reader sees is what happened: --help is quick and shows defaults, --data-dir takes any
of the MNIST folders and writes nothing into them, predict.py says which model it uses, titles
carry the flags, the two 4-vs-9 figures share their axes, README commands leave images/ alone."""

import filecmp
import json
import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest
import torch

import figures.training as train_figures
import predict
import show_mnist
import train
import train_cnn
import train_mlp
import train_with_linear
from conftest import CHAPTER_DIR, assert_one_line_error

# Run a script's main() with argv and report which heavy modules got loaded.
LOADED = """
import runpy, sys
sys.path.insert(0, "src")
sys.argv = sys.argv[1:]
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
except SystemExit:
    pass
print("LOADED:", " ".join(m for m in ("matplotlib", "torchvision", "PIL") if m in sys.modules))
"""


@pytest.mark.parametrize("script", ["train.py", "train_with_linear.py"])
@pytest.mark.parametrize("flag", ["--help", "--epohcs=3"])
def test_help_and_a_mistyped_flag_load_nothing_for_training(script, flag):
    result = subprocess.run([sys.executable, "-c", LOADED, f"src/{script}", flag], cwd=CHAPTER_DIR,
                            env=dict(os.environ, MPLBACKEND="Agg"), capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().endswith("LOADED:"), result.stdout  # neither matplotlib, torchvision nor PIL
    if flag == "--help":
        assert "(default: 40)" in result.stdout
    else:
        assert result.stderr.startswith("error: unrecognized arguments: --epohcs=3")


@pytest.mark.parametrize("module, defaults", [
    (train, ["--epochs EPOCHS", "(default: 40)", "(default: 0.004)", "(default: 100)", "(default: 2000)",
             "(default: auto)", "(default: 0)"]),
    (train_mlp, ["(default: 10)", "(default: 0.001)", "(default: 64)", "(default: adam)", "(default: 0.0)"]),
    (train_cnn, ["(default: 5)", "(default: 0.003)", "mnist_model_cnn.pth)"]),
    (predict, ["mnist_model.pth)", "(default: 25)"]),
    (show_mnist, ["default: data/"]),
])
def test_help_shows_the_defaults(module, defaults, capsys):
    with pytest.raises(SystemExit) as excinfo:
        module.main(["--help"])
    assert excinfo.value.code == 0
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps long lines
    for default in defaults:
        assert default in text, default
    assert "(default: None)" not in text and "(default: False)" not in text


def tree(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("given", ["MNIST", "MNIST/raw"])
def test_data_dir_may_be_the_mnist_or_raw_folder_and_stays_as_it_was(mnist_dir, tmp_path, given, capsys):
    copy = tmp_path / "copy"
    shutil.copytree(mnist_dir, copy)
    before = tree(copy)
    show_mnist.main(["--data-dir", str(copy / given), "--save", str(tmp_path / "grid.png"), "--no-show"])
    assert "Saved figure to" in capsys.readouterr().out
    assert tree(copy) == before  # (torchvision would make <given>/MNIST/raw/ here)
    assert not filecmp.dircmp(copy / "MNIST" / "raw", mnist_dir / "MNIST" / "raw").diff_files
    args = train.parse_args(["--data-dir", str(copy / given), "--train-size", "all"])
    train_data, test_data = train.load_data(args)
    assert len(train_data.dataset) == 72 and len(test_data.dataset) == 24
    assert tree(copy) == before


def test_predict_says_which_model_it_loaded(mnist_dir, tmp_path, capsys):
    model_file = tmp_path / "small.pth"
    train_mlp.main(["--data-dir", str(mnist_dir), "--subset", "100", "--epochs", "2", "--save-model", str(model_file),
                    "--save", str(tmp_path / "mlp.png"), "--no-show"])
    accuracy = re.search(r"Test Accuracy: ([\d.]+)%", capsys.readouterr().out).group(1)
    saved = torch.load(model_file, weights_only=True)
    assert saved["test_accuracy"] == pytest.approx(float(accuracy), abs=0.005)
    assert saved["flags"] == ["--epochs 2", "--subset 100"]
    predict.main(["--model", str(model_file), "--data-dir", str(mnist_dir), "--count", "4",
                  "--save", str(tmp_path / "grid.png"), "--no-show"])
    line = capsys.readouterr().out.splitlines()[0]
    assert line == (f"Model: {model_file} (MLP, test accuracy when saved: {accuracy}%, "
                    f"trained with: --epochs 2 --subset 100)")


def test_model_files_without_accuracy_and_flags_load_and_say_unknown(tmp_path, capsys):
    torch.save({"model": "cnn", "state_dict": train_cnn.CNNClassifier().state_dict()}, tmp_path / "old_cnn.pth")
    torch.save(train_mlp.MNISTClassifier().state_dict(), tmp_path / "bare.pth")
    for name, kind in [("old_cnn.pth", "CNN"), ("bare.pth", "MLP")]:
        predict.load_model(tmp_path / name, torch.device("cpu"))
        assert capsys.readouterr().out == (f"Model: {tmp_path / name} ({kind}, test accuracy when saved: unknown, "
                                           f"trained with: unknown)\n")


@pytest.mark.parametrize("argv, hint", [
    (["my_digit.png"], "(did you mean --image my_digit.png?)"),
    (["photo.JPG", "--count", "4"], "(did you mean --image photo.JPG?)"),
    (["mnist_model_cnn.pth"], "(did you mean --model mnist_model_cnn.pth?)"),
    (["seven"], "unrecognized arguments: seven (see --help)"),
])
def test_a_path_without_its_flag_gets_a_hint(argv, hint, capsys):
    with pytest.raises(SystemExit) as excinfo:
        predict.main(argv)
    assert_one_line_error(excinfo, capsys, "unrecognized arguments", hint)


@pytest.mark.parametrize("name, command", [
    ("mnist_model_cnn.pth", "run `uv run ./src/train_cnn.py` first"),
    ("mnist_model_cnn_augment.pth", "run `uv run ./src/train_cnn.py --save-model "),
    ("mnist_model.pth", "run `uv run ./src/train_mlp.py` first"),
    ("mine.pth", "run `uv run ./src/train_mlp.py --save-model "),
])
def test_a_missing_model_file_names_the_script_that_trains_it(name, command, tmp_path, monkeypatch, capsys):
    # The chapter's default model files, as if not trained yet.
    monkeypatch.setattr(predict, "DEFAULT_MODEL", tmp_path / "mnist_model.pth")
    monkeypatch.setattr(predict, "DEFAULT_CNN_MODEL", tmp_path / "mnist_model_cnn.pth")
    with pytest.raises(SystemExit) as excinfo:
        predict.main(["--model", str(tmp_path / name), "--no-show"])
    assert_one_line_error(excinfo, capsys, "not found", command)


def test_a_mistyped_model_file_names_the_model_files_there(tmp_path, monkeypatch, capsys):
    """`--model mnist_modle.pth`: the model files beside it and in the chapter's folder, and the one meant."""
    chapter = tmp_path / "mnist"
    chapter.mkdir()
    for name in ["mnist_model.pth", "mnist_model_cnn.pth"]:
        (chapter / name).write_bytes(b"weights")
    monkeypatch.setattr(predict, "DEFAULT_MODEL", chapter / "mnist_model.pth")
    monkeypatch.chdir(chapter)
    with pytest.raises(SystemExit) as excinfo:
        predict.main(["--model", "mnist_modle.pth", "--no-show"])
    line = assert_one_line_error(excinfo, capsys, f"model file not found: mnist_modle.pth (looked for "
                                                  f"{chapter / 'mnist_modle.pth'})")
    assert line.endswith("; model files in ./: mnist_model.pth, mnist_model_cnn.pth (did you mean mnist_model.pth?)")
    monkeypatch.chdir(tmp_path)  # a name like none of them: the files there, and how to train one
    with pytest.raises(SystemExit) as excinfo:
        predict.main(["--model", "digits.pth", "--no-show"])
    line = assert_one_line_error(excinfo, capsys, "model files in mnist/: mnist_model.pth, mnist_model_cnn.pth; "
                                                  "run `uv run ./src/train_mlp.py --save-model ")


def test_the_training_command_for_a_missing_model_pastes_as_printed(tmp_path, capsys):
    model = tmp_path / "読者 の 本" / "my model.pth"
    with pytest.raises(SystemExit) as excinfo:
        predict.main(["--model", str(model), "--no-show"])
    line = assert_one_line_error(excinfo, capsys, "not found")
    assert shlex.split(line.split("`")[1]) == ["uv", "run", "./src/train_mlp.py", "--save-model", str(model)]


def test_titles_carry_the_flags_that_changed_the_run():
    args = train.parse_args(["--train-size", "all", "--epochs", "60", "--seed", "3", "--no-show", "--device", "cpu"])
    assert args.changed == ["--epochs 60", "--train-size all", "--seed 3"]
    assert args.record.header() == "train.py: epochs 60, train-size all, seed 3"
    assert train.parse_args([]).record.header() == "train.py (default settings)"
    fig = train_mlp.plot_learning_curves([], [], [])
    model = train_mlp.MNISTClassifier()
    args = train_mlp.parse_args(["--subset", "100", "--dropout", "0.2", "--augment", "--save-model", "x.pth"])
    title = train_figures.learning_curves_title(fig, model, torch.optim.Adam(model.parameters(), lr=args.lr), args)
    assert title.get_text() == "train_mlp.py: augment, subset 100, dropout 0.2\n784-128-64-10, Adam lr=0.001"
    model = train_cnn.CNNClassifier()
    args = train_cnn.parse_args(["--optimizer", "sgd", "--no-schedule"])
    title = train_figures.learning_curves_title(fig, model, torch.optim.SGD(model.parameters(), lr=args.lr), args, 3)
    assert title.get_text() == "train_cnn.py: optimizer sgd, no-schedule\nconv 1-16-32, 512-10, SGD lr=0.003 (epoch 3)"


def test_the_two_4_vs_9_figures_share_fixed_axes():
    """train.py and train_with_linear.py: the same accuracy axis (0.5 = guessing, to 1) and loss axis,
    whatever the curves, so the figures can be compared and a small dip is drawn small."""
    names = [curve.name for curve in train_figures.FOUR_NINE]
    figures = []
    for args, model, values in [
            (train.parse_args([]), train.Mnist(), [[0.68, 0.1, 0.0014], [0.65, 0.07, 0.027], [0.87, 0.97, 0.992]]),
            (train.parse_args([], lr=0.0003, name="train_with_linear"), train_with_linear.LinearMnist(),
             [[0.66, 0.2, 0.0089], [0.61, 0.1, 0.086], [0.80, 0.96, 0.974]])]:
        fig, panels = train_figures.four_nine_figure(model, args)
        train_figures.final_texts(panels, dict(zip(names, values)))
        figures.append(fig)
    for fig in figures:
        ax, ax2 = fig.axes
        assert ax2.get_ylim() == train_figures.ACCURACY_RANGE and ax.get_ylim() == (0.001, 1.0)
        assert ax.get_xlim()[0] < 0 and ax.get_xlim()[1] > 1.1 * 39  # all 40 epochs, room for the last values
        fig.canvas.draw()
        labels = [t.get_text() for t in ax.get_yticklabels() if t.get_visible()]
        assert {"0.001", "0.002", "0.005", "0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1"} <= set(labels)
        written = [text.get_text() for text in ax.texts + ax2.texts]
        assert any(text.startswith("lowest ") for text in written)
    assert figures[0].axes[0].get_xlim() == figures[1].axes[0].get_xlim()
    assert [t.get_text() for t in figures[0].axes[1].texts] == ["0.9920"]
    assert "lowest 0.0270 (epoch 2)" in [t.get_text() for t in figures[0].axes[0].texts]


# Runs a script of a copy of the chapter in a fresh process; prints its final figure's titles.
TITLES = """
import json, runpy, sys
import booktools.figures

def show_figure(fig, args):
    print("TITLES", json.dumps([fig.get_suptitle()] + [ax.get_title() for ax in fig.axes]), flush=True)

booktools.figures.show_figure = show_figure
sys.path.insert(0, sys.argv[1])
sys.argv = sys.argv[2:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def test_the_titles_follow_an_edit_of_the_code(mnist_dir, tmp_path):
    """The reader makes the CNN bigger and changes the learning rate in the code, not by a flag:
    the figure says so (the header, the layers and the optimizer that ran), not the defaults."""
    copy = tmp_path / "mnist"
    shutil.copytree(CHAPTER_DIR / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(CHAPTER_DIR / "src.sha256", copy)

    def titles(script, *argv):
        result = subprocess.run([sys.executable, "-c", TITLES, str(copy / "src"), str(copy / "src" / script),
                                 "--data-dir", str(mnist_dir), *argv], capture_output=True, text=True,
                                encoding="utf-8", timeout=300)
        assert result.returncode == 0, result.stderr
        return json.loads(next(line for line in result.stdout.splitlines() if line.startswith("TITLES "))[7:])

    def edit(script, *changes):
        path = copy / "src" / script
        code = path.read_text(encoding="utf-8")
        for old, new in changes:
            assert code.count(old) == 1, old
            code = code.replace(old, new)
        path.write_text(code, encoding="utf-8")

    short = ["--epochs", "2", "--batch-size", "16", "--train-size", "all"]
    assert titles("train.py", *short) == ["train.py: epochs 2, batch-size 16, train-size all",
                                          "4 vs 9: conv 1-4-8-16, 16-1, Adam lr=0.004", ""]
    edit("train.py", ("torch.nn.Conv2d(8, 16, kernel_size=3)", "torch.nn.Conv2d(8, 32, kernel_size=3)"),
         ("data.view(-1, 16)", "data.view(-1, 32)"), ("torch.nn.Linear(16, 1)", "torch.nn.Linear(32, 1)"),
         ("model.parameters(), lr=lr)", "model.parameters(), lr=0.01)"))
    header, title, _ = titles("train.py", *short)
    assert header.startswith("train.py: epochs 2, batch-size 16, train-size all, ") and "Conv2d(8, 32" in header
    assert title == "4 vs 9: conv 1-4-8-32, 32-1, Adam lr=0.01"

    edit("train_mlp.py", ("nn.Linear(128, 64)", "nn.Linear(128, 32)"), ("nn.Linear(64, 10)", "nn.Linear(32, 10)"),
         ("optim.Adam(model.parameters(), lr=args.lr)", "optim.Adam(model.parameters(), lr=0.005)"))
    header, *_ = titles("train_mlp.py", "--epochs", "1", "--subset", "100", "--save-model", str(tmp_path / "m.pth"))
    assert header.startswith("train_mlp.py: epochs 1, subset 100, ") and "default" not in header
    assert header.endswith("\n784-128-32-10, Adam lr=0.005")


def readme_commands():
    text = (CHAPTER_DIR / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```(?:sh|bash)\n(.*?)^```", text, re.S | re.M)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip().startswith("uv run ")]


def test_no_readme_command_writes_into_images():
    commands = readme_commands()
    assert len(commands) >= 15
    for command in commands:
        assert not any(word.startswith(("images/", "./images/")) for word in shlex.split(command)), command


def test_make_images_writes_every_figure_of_the_readme():
    readme, notes = ((CHAPTER_DIR / name).read_text(encoding="utf-8") for name in ("README.md", "NOTES.md"))
    shown = set(re.findall(r"\]\((images/[\w.]+)\)", readme + notes))
    assert len(shown) >= 15 and all((CHAPTER_DIR / image).exists() for image in shown)
    script = (CHAPTER_DIR / "images" / "make_images.sh").read_text(encoding="utf-8")
    assert "images/make_images.sh" in notes  # (how the figures are made: NOTES.md)
    beside = {"images/train_mistakes.png", "images/train_layers.png"}  # --mistakes 16 --layers --save images/train.png
    assert "--mistakes 16 --layers --save images/train.png" in script and beside <= shown
    for image in shown - beside:
        assert image in script, f"{image} is not made by images/make_images.sh"
    made = set(re.findall(r"images/[\w.]+\.(?:png|gif)", script))
    assert made <= shown, f"made but not shown: {made - shown}"


def test_the_gifs_keep_their_axes_to_the_last_frame(mnist_dir, tmp_path, capsys):
    """No jump at the end: the tick labels left and right are those of the frame before."""
    from test_live import difference, gif_frames
    train.main(["--data-dir", str(mnist_dir), "--train-size", "all", "--epochs", "6", "--batch-size", "16",
                "--gif", str(tmp_path / "c.gif"), "--save", str(tmp_path / "c.png"), "--no-show"])
    train_mlp.main(["--data-dir", str(mnist_dir), "--epochs", "4", "--gif", str(tmp_path / "m.gif"),
                    "--save", str(tmp_path / "m.png"), "--save-model", str(tmp_path / "m.pth"), "--no-show"])
    for name, strips in [("c.gif", [slice(0, 75), slice(-60, None)]), ("m.gif", [slice(0, 70)])]:
        frames, _ = gif_frames(tmp_path / name)
        assert frames[0].shape[:2] == (5 * train_figures.GIF_DPI, 8 * train_figures.GIF_DPI) or name == "m.gif"
        for strip in strips:
            # (a moved tick label changes about a tenth of a strip; GIF palettes alone about 1 %)
            assert difference(frames[-2][:, strip], frames[-1][:, strip]) < 0.03, name
