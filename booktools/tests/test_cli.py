"""booktools.cli: flags, one-line errors, --help with defaults, --save and --gif checks,
Ctrl-C, the quick exit, and output cut short (`| head`)."""
import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

import train
import train_linear
from booktools import cli
from booktools.cli import Parser, add_figure_flags, keep_results_on_ctrl_c, positive_float, positive_int
from booktools.records import add_compare_flags
from conftest import CHAPTER_DIR, STEPS, assert_one_line_error


@pytest.mark.parametrize("argv, line", [
    ([STEPS, "--bogus"], "error: unrecognized arguments: --bogus (see --help)"),
    ([], "error: the following arguments are required: csv (see --help)"),
    ([STEPS, "--epochs", "0"], "error: argument --epochs: must be at least 1, got 0 (see --help)"),
    ([STEPS, "--epochs", "-5"], "error: argument --epochs: must be at least 1, got -5 (see --help)"),
    ([STEPS, "--epochs", "ten"], "error: argument --epochs: expected a whole number, got 'ten' (see --help)"),
    ([STEPS, "--epochs", "2.5"], "error: argument --epochs: expected a whole number, got '2.5' (see --help)"),
    ([STEPS, "--lr", "0"], "error: argument --lr: must be greater than 0, got 0 (see --help)"),
    ([STEPS, "--lr", "-1"], "error: argument --lr: must be greater than 0, got -1 (see --help)"),
    ([STEPS, "--lr", "nan"], "error: argument --lr: must be greater than 0, got nan (see --help)"),
    ([STEPS, "--lr", "inf"], "error: argument --lr: must be greater than 0, got inf (see --help)"),
    ([STEPS, "--lr", "fast"], "error: argument --lr: expected a number, got 'fast' (see --help)"),
    ([STEPS, "--seed", "x"], "error: argument --seed: invalid int value: 'x' (see --help)"),
    ([STEPS, "--epochs"], "error: argument --epochs: expected one argument (see --help)"),
])
def test_a_bad_flag_is_one_line_and_exit_2(run_main, argv, line):
    code, out, err = run_main(train.main, *argv)
    assert code == 2 and err == line + "\n" and out == ""


@pytest.mark.parametrize("argv, line", [
    # no abbreviations: what argparse would have taken for --limit is named instead
    ([STEPS, "--limi", "5"], "error: unrecognized arguments: --limi 5 (did you mean --limit?)"),
    ([STEPS, "--epoch", "5"], "error: unrecognized arguments: --epoch 5 (did you mean --epochs?)"),
    ([STEPS, "--learning-rate", "0.1"], "error: unrecognized arguments: --learning-rate 0.1 (did you mean --lr?)"),
    ([STEPS, "--learning_rate=0.1"], "error: unrecognized arguments: --learning_rate=0.1 (did you mean --lr?)"),
    ([STEPS, "--no-shwo"], "error: unrecognized arguments: --no-shwo (did you mean --no-show?)"),
])
def test_a_mistyped_flag_names_the_flag_meant(run_main, argv, line):
    code, out, err = run_main(train.main, *argv)
    assert code == 2 and err == line + "\n" and out == ""


def test_a_flag_is_never_taken_as_the_start_of_another(tmp_path, capsys):
    """blobs' --data-seed: `--data data.csv` must not read the file name as the seed."""
    parser = Parser(tmp_path / "src" / "train.py")
    parser.add_argument("--data-seed", type=int, default=42)
    parser.add_argument("--lr", type=float, default=0.01)
    for argv, meant in [(["--data", "data.csv"], "--data-seed"), (["--data", "7"], "--data-seed"),
                        (["--learning-rate", "0.1"], "--lr")]:
        with pytest.raises(SystemExit) as stop:
            parser.parse_args(argv)
        assert stop.value.code == 2
        assert capsys.readouterr().err == f"error: unrecognized arguments: {' '.join(argv)} (did you mean {meant}?)\n"
    assert cli.closest_flag("--foo", ["--gif", "--lr"]) is None  # nothing alike: no guess
    assert cli.closest_flag("data.csv", ["--data-seed"]) is None


def test_a_bad_data_file_is_one_line(run_main, tmp_path):
    """The chapter's own check, through cli.fail and cli.first_line."""
    code, out, err = run_main(train.main, str(tmp_path / "stpes.csv"))
    assert_one_line_error(code, err, "cannot read", "stpes.csv")
    assert out == ""


def test_fail_and_first_line(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.fail("no such model 'simpel'")
    assert stop.value.code == 2 and capsys.readouterr().err == "error: no such model 'simpel'\n"
    assert cli.first_line(ValueError("row 2: bad\n  details\n")) == "row 2: bad"
    assert cli.first_line(KeyError()) == "KeyError"
    assert cli.first_line(ValueError("  \n")) == "ValueError"
    assert cli.first_line(ValueError("x" * 500)) == "x" * 120


def example_parser(tmp_path):
    parser = Parser(tmp_path / "src" / "fit.py", description="an example")
    parser.add_argument("data", nargs="?", default="data.csv", help="a positional argument")
    parser.add_argument("--epochs", type=positive_int, default=30, help="passes")
    parser.add_argument("--lr", type=positive_float, default=0.1, help="learning rate")
    parser.add_argument("--digits", type=int, nargs=2, default=[4, 9], help="two digits")
    parser.add_argument("--augment", action="store_true", help="shift the images")
    parser.add_argument("--train-size", type=lambda text: None if text == "all" else int(text), default=2000,
                        help="images to train on, or all")
    parser.add_argument("--dropout", type=float, default=0.0, help="dropout rate")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument("--name", help="a name, none by default")
    parser.add_argument("--every", type=int, default=10, help="print every N epochs (default 10 epochs)")
    parser.view_flags.add("every")
    add_figure_flags(parser, live=True)
    add_compare_flags(parser, data_flag="data")
    return parser


def test_changed_lists_the_flags_that_change_the_run_as_typed(tmp_path):
    parser = example_parser(tmp_path)
    argv = ["other.csv", "--lr", "0.10", "--epochs", "50", "--digits", "3", "8", "--augment", "--train-size", "all",
            "--every", "5", "--save", "a.png", "--no-show", "--no-live", "--gif", str(tmp_path / "a.gif"),
            "--compare", "2", "--compare-all"]
    args = parser.parse_args(argv)
    # --lr 0.10 is the default typed out: no change; where output goes is none either.
    assert args.changed == ["--epochs 50", "--digits 3 8", "--augment", "--train-size all"]
    assert args.script == "fit.py" and args.chapter_dir == tmp_path.resolve()
    assert args.argv == argv
    assert args.view_flags == sorted(cli.VIEW_FLAGS | {"every"})
    assert parser.parse_args(["--lr", "0.00001", "--dropout", "0.5"]).changed == ["--lr 1e-05", "--dropout 0.5"]
    assert parser.parse_args([]).changed == []


def test_argv_defaults_to_the_command_line(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["fit.py", "--epochs", "7"])
    args = example_parser(tmp_path).parse_args()
    assert args.argv == ["--epochs", "7"] and args.changed == ["--epochs 7"] and args.epochs == 7


def test_help_shows_each_flags_default(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        example_parser(tmp_path).parse_args(["--help"])
    assert stop.value.code == 0
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps long lines
    for shown in ["--epochs EPOCHS passes (default: 30)", "--lr LR learning rate (default: 0.1)",
                  "two digits (default: [4, 9])", "images to train on, or all (default: 2000)",
                  "--dropout DROPOUT dropout rate (default: 0.0)", "--seed SEED random seed (default: 0)",
                  "--name NAME a name, none by default -", "(default 10 epochs) --save"]:
        assert shown in text, shown
    for hidden in ["(default: None)", "(default: False)", "(default: data.csv)", "(default: 10)"]:
        assert hidden not in text, hidden
    assert "--compare [N] draw the last N earlier runs' curves behind this run's (N: default 1)" in text
    assert "--compare-all with --compare: also earlier runs on other data files" in text


def test_the_chapters_help_names_the_partner_and_the_defaults(run_main):
    code, out, _ = run_main(train_linear.main, "--help")
    text = " ".join(out.split())
    assert code == 0 and text.startswith("usage: train_linear.py [-h]")
    assert "(default: 30)" in text and "(default: 0.1)" in text and "--bias BIAS" in text
    assert "(N: default 1; runs of train.py too)" in text


@pytest.mark.parametrize("convert, text, value", [
    (positive_int, "1", 1), (positive_int, "20001", 20001),
    (positive_float, "0.003", 0.003), (positive_float, "1e-4", 1e-4), (positive_float, "3", 3.0),
])
def test_positive_numbers(convert, text, value):
    assert convert(text) == value


@pytest.mark.parametrize("convert, text, message", [
    (positive_int, "0", "must be at least 1, got 0"), (positive_int, "-3", "must be at least 1, got -3"),
    (positive_int, "1.0", "expected a whole number, got '1.0'"), (positive_int, "", "expected a whole number"),
    (positive_float, "0", "must be greater than 0, got 0"), (positive_float, "-0.1", "must be greater than 0"),
    (positive_float, "nan", "must be greater than 0, got nan"), (positive_float, "inf", "must be greater than 0"),
    (positive_float, "1e400", "must be greater than 0, got 1e400"), (positive_float, "x", "expected a number"),
])
def test_not_positive_numbers(convert, text, message):
    with pytest.raises(argparse.ArgumentTypeError, match=message.replace("(", r"\(")):
        convert(text)


def test_save_must_be_a_png_so_data_is_never_overwritten(run_main, tmp_path):
    data = tmp_path / "mine.csv"
    data.write_text("x,y\n1,2\n", encoding="utf-8")
    code, out, err = run_main(train.main, str(data), "--save", str(data))
    assert err == f"error: argument --save: --save needs a .png file name, got '{data}' (see --help)\n"
    assert code == 2 and out == "" and data.read_text(encoding="utf-8") == "x,y\n1,2\n"
    assert cli.png_path("Figure.PNG") == Path("Figure.PNG")


@pytest.mark.parametrize("name, words", [
    ("anim.png", ["--gif needs a .gif file name, got '"]),
    ("anim", ["--gif needs a .gif file name"]),
    ("no_such_folder/anim.gif", ["folder '", "no_such_folder' does not exist"]),
    ("a_folder.gif", ["a_folder.gif' is a folder"]),
    ("notes.gif", ["notes.gif' exists and is not a GIF; not overwriting it"]),
])
def test_bad_gif_values_are_one_line_before_training(run_main, tmp_path, name, words):
    (tmp_path / "a_folder.gif").mkdir()
    (tmp_path / "notes.gif").write_text("my notes\n", encoding="utf-8")
    code, out, err = run_main(train.main, STEPS, "--gif", str(tmp_path / name))
    assert_one_line_error(code, err, "argument --gif: ", *words)
    assert out == ""  # checked before training
    assert (tmp_path / "notes.gif").read_text(encoding="utf-8") == "my notes\n"  # never overwritten


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write into any folder")
def test_gif_in_a_folder_that_cannot_be_written(run_main, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code, out, err = run_main(train.main, STEPS, "--gif", str(locked / "a.gif"))
    assert_one_line_error(code, err, "cannot write into folder")


def test_gif_into_the_chapters_outputs_makes_the_folder(chapter, run_main, tmp_path, monkeypatch):
    """The README's `--gif outputs/train.gif` works on a fresh clone, before outputs/ exists."""
    assert not (chapter.folder / "outputs").exists()
    result = chapter("train.py", "./data/steps.csv", "--epochs", "3", "--gif", "outputs/t.gif", "--no-show")
    assert "Saved animation to outputs/t.gif\n" in result.stdout
    assert Image.open(chapter.folder / "outputs" / "t.gif").n_frames == 3
    # Any other missing folder is still an error.
    monkeypatch.chdir(tmp_path)
    code, out, err = run_main(train.main, STEPS, "--gif", "elsewhere/t.gif")
    assert code == 2 and err == (f"error: argument --gif: folder 'elsewhere' does not exist "
                                 f"({tmp_path / 'elsewhere'}); make it first (see --help)\n")


@pytest.mark.parametrize("flag, name", [("--save", "x.png"), ("--gif", "x.gif")])
def test_save_and_gif_treat_a_missing_folder_alike(run_main, chapter, tmp_path, flag, name):
    """Every flag that names a file to write: a folder that does not exist is an error before
    training (a typo shows at once), except the chapter's outputs/, which is made."""
    code, out, err = run_main(train.main, STEPS, flag, str(tmp_path / "nodir" / name))
    assert_one_line_error(code, err, f"argument {flag}: folder '{tmp_path / 'nodir'}' does not exist", "make it first")
    assert out == "" and not (tmp_path / "nodir").exists()
    result = chapter("train.py", "./data/steps.csv", "--epochs", "3", flag, f"outputs/{name}", "--no-show")
    assert (chapter.folder / "outputs" / name).is_file() and result.stderr == ""
    chapter("train.py", "./data/steps.csv", flag, f"outputs/more/{name}", code=2)  # below outputs/: not made


def test_save_never_overwrites_a_file_that_is_not_a_png(run_main, tmp_path):
    notes = tmp_path / "notes.png"
    notes.write_text("my notes\n", encoding="utf-8")
    code, out, err = run_main(train.main, STEPS, "--save", str(notes))
    assert_one_line_error(code, err, "notes.png' exists and is not a PNG; not overwriting it")
    assert notes.read_text(encoding="utf-8") == "my notes\n"


def test_ctrl_c_returns_what_the_watcher_kept(capsys):
    class Watcher:
        epochs_done, state = 7, ("weights", [0.5, 0.4])

    @keep_results_on_ctrl_c("watcher")
    def train_model(model, epochs, watcher):
        """The book's loop."""
        if epochs == "stop":
            raise KeyboardInterrupt
        if epochs == "break":
            raise ValueError("a bug")
        return "done"

    assert train_model("model", "stop", Watcher()) == ("weights", [0.5, 0.4])
    assert capsys.readouterr().out == "Interrupted after 7 epochs: showing what was learned so far.\n"
    # The watcher is found by its name, however it is passed.
    assert train_model("model", epochs="stop", watcher=Watcher()) == ("weights", [0.5, 0.4])
    assert capsys.readouterr().out.startswith("Interrupted after 7 epochs")
    assert train_model("model", 3, Watcher()) == "done" and capsys.readouterr().out == ""
    with pytest.raises(ValueError, match="a bug"):  # other errors are not hidden
        train_model("model", "break", Watcher())
    assert train_model.__name__ == "train_model" and train_model.__doc__ == "The book's loop."


def test_ctrl_c_watch_names_an_argument_that_exists():
    with pytest.raises(TypeError, match="train_model has no argument 'live'"):
        @keep_results_on_ctrl_c("live")
        def train_model(model, epochs, watch):
            pass


IMPORT_ALL = """
import atexit, sys
hook, calls = sys.excepthook, []
atexit.register = lambda *args, **kwargs: calls.append(args)
import booktools.cli, booktools.describe, booktools.figures, booktools.live, booktools.records
import booktools.runs, booktools.torch_setup, booktools.window_driver
print(sys.excepthook is hook, calls == [], sys.stdout.line_buffering)
booktools.cli.Parser("x/src/train.py")
print(sys.excepthook is hook, calls == [], sys.stdout.line_buffering)
"""


def test_importing_booktools_changes_nothing_a_parser_installs_the_quiet_end():
    result = subprocess.run([sys.executable, "-c", IMPORT_ALL], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["True True False", "False False True"]


def test_ctrl_c_in_a_real_run_goes_on_to_the_figure_and_the_record(chapter):
    """SIGINT, as Ctrl-C sends it, to a long run: it stops, saves, records, exits 0."""
    import json
    import signal

    process = subprocess.Popen([sys.executable, "./src/train.py", "./data/steps.csv", "--epochs", "20000000",
                                "--every", "1000", "--save", "stopped.png"], cwd=chapter.folder,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={key: value for key, value in os.environ.items() if key != "RUNS_DIR"})
    assert process.stdout.readline().startswith("Model: ")
    assert process.stdout.readline().startswith("Epoch 0, Loss: 0.5")
    assert process.stdout.readline().startswith("Epoch 1000, Loss: 0.0")  # well into the loop
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0 and err == "", err
    lines = out.splitlines()
    stopped = next(line for line in lines if line.startswith("Interrupted after "))
    epochs = int(stopped.split()[2])
    assert stopped == f"Interrupted after {epochs} epochs: showing what was learned so far."
    assert lines[-1] == f"Saved figure to {Path('stopped.png')}"
    record = json.loads((chapter.folder / "runs" / "0001" / "record.json").read_text(encoding="utf-8"))
    assert record["epochs_run"] == epochs and 1000 <= epochs < 20000000
    assert record["curves"]["loss"]["epoch"][-1] == epochs - 1


# Output cut short: the reader pipes a script into `head -n 1`.
def run_cut_short(argv, cwd, lines=1):
    """Run a command with stdout into a pipe, read `lines` lines, close the pipe; its stderr."""
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    read = [process.stdout.readline() for _ in range(lines)]
    process.stdout.close()  # the reader stops reading, as `head` does
    err = process.stderr.read()
    process.wait(timeout=120)
    return read, err


def test_a_training_script_cut_short_ends_quietly(tmp_path):
    read, err = run_cut_short([sys.executable, "./src/train.py", "./data/steps.csv", "--epochs", "100000",
                               "--every", "1", "--save", str(tmp_path / "f.png")], CHAPTER_DIR)
    assert read == ["Model: Linear(2, 128) -> Linear(128, 1), parameters: 513\n"]
    assert err == "", err  # no traceback, no "Exception ignored ... BrokenPipeError"
    assert not (tmp_path / "f.png").exists()  # it stopped there


# A script whose reader has stopped reading before the end: "partial" is still in the buffer.
BUFFERED = """
import atexit, sys
import booktools.cli
booktools.cli.end_quietly_when_output_is_cut_short()  # as every script's Parser does
atexit.register(lambda: print("clean-up at exit ran", file=sys.stderr))
sys.stdin.readline()  # the test closes the pipe first
sys.stdout.write("partial")
if sys.argv[1] == "exit_now":
    booktools.cli.exit_now()
"""


BUFFERED_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}


@pytest.mark.parametrize("end", ["exit_now", "return"])
def test_output_still_buffered_for_a_closed_pipe_ends_quietly(end):
    process = subprocess.Popen([sys.executable, "-c", BUFFERED, end], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=BUFFERED_ENV)
    process.stdout.close()
    process.stdin.write("go\n")
    process.stdin.close()
    err = process.stderr.read()
    process.wait(timeout=60)
    if end == "exit_now":
        assert err == "" and process.returncode == 1  # ended at once, as `head` expects
    else:
        assert err == "clean-up at exit ran\n"  # and nothing about the pipe


def test_exit_now_flushes_the_output_and_skips_the_clean_up():
    result = subprocess.run([sys.executable, "-c", BUFFERED, "exit_now"], input="go\n",
                            capture_output=True, text=True, timeout=60, env=BUFFERED_ENV)
    assert result.returncode == 0 and result.stdout == "partial" and result.stderr == ""


# Runs a script as `python ./src/x.py` does, then says which heavy libraries it had loaded.
PROBE = """
import runpy, sys
sys.argv = sys.argv[1:]
sys.path.insert(0, "src")
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
finally:
    print("loaded:", [name for name in ("matplotlib", "PIL", "torch") if name in sys.modules], file=sys.stderr)
"""


@pytest.mark.parametrize("argv, code", [
    (["./src/train.py", "--help"], 0), (["./src/runs.py", "--help"], 0),
    (["./src/train.py", "./data/steps.csv", "--learning-rate", "0.1"], 2),
    (["./src/train.py", "./data/steps.csv", "--gif", "nowhere/a.gif"], 2),
])
def test_help_and_a_mistyped_flag_load_no_figure_library(argv, code):
    """--help and a mistyped flag answer at once: booktools imports matplotlib and PIL only
    where a figure is drawn, and torch only where a seed or a device is set."""
    result = subprocess.run([sys.executable, "-c", PROBE, *argv], cwd=CHAPTER_DIR, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == code, result.stderr
    assert result.stderr.splitlines()[-1] == "loaded: []"
    if code == 0:
        assert "--save PATH" in result.stdout
    else:
        assert result.stderr.startswith("error: argument --gif" if "--gif" in argv else
                                         "error: unrecognized arguments: --learning-rate 0.1")
