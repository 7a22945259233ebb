"""The command line around the book's code: flags, one-line errors, output cut short
(`| head`), the Ctrl-C watch around training, and the quick exit.

Importing this module changes nothing: making a Parser (every script makes one) installs the
quiet end of output cut short. matplotlib and torch are not imported here: `--help` and a
mistyped flag answer without them. torch's set-up is booktools.torch_setup.
"""
import argparse
import atexit
import difflib
import functools
import inspect
import os
import re
import sys
from pathlib import Path

from booktools import hints


def end_quietly_when_output_is_cut_short():
    """`| head -n 1` closes the pipe: end without a traceback (other errors as usual, with a
    hint after a shape error: booktools.hints), and print each line at once even into a pipe
    ("Epoch ..." lines show while training runs). Called by Parser(); calling it again changes nothing."""
    if sys.excepthook is _stop_quietly:
        return
    sys.excepthook = _stop_quietly
    atexit.register(_flush_quietly)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)


def _stop_quietly(kind, value, traceback):
    if issubclass(kind, BrokenPipeError):  # the reader stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more to flush
        return
    sys.__excepthook__(kind, value, traceback)
    hints.print_hint(value)  # one line after the traceback: which line of the reader's code, and why


def _flush_quietly():  # output still buffered at exit would hit the closed pipe
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


# Flags that change what is shown or where it goes, not what is learned: left out of figure
# titles and of "what differed" between runs. A script adds its own with parser.view_flags.
VIEW_FLAGS = {"help", "save", "no_show", "no_live", "gif", "compare", "compare_all"}


class HelpWithDefaults(argparse.HelpFormatter):
    """--help shows each flag's default: "(default: 40)", unless the help text says it."""

    def _get_help_string(self, action):
        text = action.help or ""
        # (`is`, not `in`: a default of 0 or 0.0 equals False, and --seed 0 is worth showing)
        if ("default" in text or action.default is None or action.default is False
                or action.default == argparse.SUPPRESS or not action.option_strings):
            return text
        return text + " (default: %(default)s)"


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors. script: the script's __file__; its chapter folder
    (the one above src/) holds outputs/ and runs/.

    parse_args also sets args.script (the file name), args.chapter_dir, args.argv (as
    typed, for the run record), and args.changed: the flags that change the run, as
    typed (["--epochs 2001", "--lr 0.1"]), for figure titles."""

    def __init__(self, script, **kwargs):
        script = Path(script).resolve()
        # (no abbreviations: --data would be taken as --data-seed and the file name as a number)
        super().__init__(prog=script.name, formatter_class=HelpWithDefaults, allow_abbrev=False, **kwargs)
        end_quietly_when_output_is_cut_short()
        hints.explain_errors_in(script.parent)  # a shape error's hint may name lines of this src/
        self.script = script
        self.chapter_dir = script.parent.parent
        self.view_flags = set(VIEW_FLAGS)
        self.record_options = {}  # what add_compare_flags says about the run's record

    def error(self, message):  # one line instead of the usage dump
        self.exit(2, f"error: {message} (see --help)\n")

    def parse_args(self, args=None, namespace=None):
        parsed, extra = self.parse_known_args(args, namespace)
        if extra:
            self.unrecognized(extra)
        return parsed

    def unrecognized(self, extra, meant=None):
        """End with one line naming what was not understood, and what was meant where a flag is
        close (meant: the script's own guess, "--model x.pth")."""
        flags = [flag for flag in self._option_string_actions if flag.startswith("--")]
        meant = meant or next((closest_flag(word, flags) for word in extra if closest_flag(word, flags)), None)
        if meant is None:
            self.error(f"unrecognized arguments: {' '.join(extra)}")
        self.exit(2, f"error: unrecognized arguments: {' '.join(extra)} (did you mean {meant}?)\n")

    def parse_known_args(self, args=None, namespace=None):
        parsed, extra = super().parse_known_args(args, namespace)
        parsed.script = self.script.name
        parsed.chapter_dir = self.chapter_dir
        parsed.argv = list(sys.argv[1:] if args is None else args)
        parsed.view_flags = sorted(self.view_flags)
        parsed.record_options = dict(self.record_options)
        parsed.changed = [flag_text(action, getattr(parsed, action.dest)) for action in self._actions
                          if action.option_strings and action.dest not in self.view_flags
                          and getattr(parsed, action.dest, action.default) != action.default]
        return parsed, extra


def closest_flag(word, flags):
    """The flag among `flags` that a mistyped one was meant to be, or None: the one whose
    words it starts ("--learning-rate" -> "--lr"), or the most alike ("--epoch" -> "--epochs",
    "--data" -> "--data-seed")."""
    if not word.startswith("--") or word in flags:
        return None
    name = word.split("=")[0]
    words = [part for part in re.split(r"[-_]+", name) if part]
    initials = "--" + "".join(part[0] for part in words)
    if len(words) > 1 and initials in flags:
        return initials
    longer = [flag for flag in flags if flag.startswith(name)]  # what an abbreviation would have taken
    if len(name) >= 5 and longer:
        return min(longer, key=len)
    # (compared without the dashes every flag has: --foo is not close to --gif)
    close = difflib.get_close_matches(name[2:].replace("_", "-"), [flag[2:] for flag in flags], n=1, cutoff=0.6)
    return f"--{close[0]}" if close else None


def flag_text(action, value):
    """How a flag would be typed: --augment, --epochs 100, --lr 0.1, --digits 4 9."""
    if isinstance(action, (argparse._StoreTrueAction, argparse._StoreConstAction)):
        return action.option_strings[0]
    if isinstance(value, (list, tuple)):
        value = " ".join(map(str, value))
    elif isinstance(value, float):
        value = f"{value:g}"
    return f"{action.option_strings[0]} {'all' if value is None else value}"


def fail(message):
    """One error line on stderr and exit status 2 (bad input, not a bug)."""
    print(f"error: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def first_line(error):
    """The first line of an exception's message (or its type), short enough for one error line."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:120]


def positive_int(text):
    """argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def positive_float(text):
    """argparse type: a number greater than 0 (learning rates)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
    return value


def output_type(flag, suffixes, outputs_dir=None, kind=None):
    """argparse type for a flag naming a file the script writes (--save, --gif, --save-model),
    checked before training starts, alike for every such flag: the name ends in one of the
    suffixes (a typo cannot overwrite the reader's other files), its folder exists and can be
    written (a missing folder is an error, except the chapter's outputs/ (outputs_dir), which
    is made when the file is written), it is no folder, and an existing file is overwritten
    only when it is of the same kind (kind: a function that tells, e.g. is_gif)."""
    def check(text):
        path = Path(text)
        if path.suffix.lower() not in suffixes:
            raise argparse.ArgumentTypeError(f"{flag} needs a {suffixes[0]} file name, got {text!r}")
        folder = path.parent
        ours = outputs_dir is not None and folder.resolve() == Path(outputs_dir).resolve()
        if not folder.is_dir() and not ours:
            raise argparse.ArgumentTypeError(f"folder {str(folder)!r} does not exist ({folder.absolute()}); "
                                             f"make it first")
        if folder.is_dir() and not os.access(folder, os.W_OK):
            raise argparse.ArgumentTypeError(f"cannot write into folder {str(folder)!r}")
        if path.is_dir():
            raise argparse.ArgumentTypeError(f"{text!r} is a folder")
        if kind is not None and path.exists() and not kind(path):
            raise argparse.ArgumentTypeError(f"{text!r} exists and is not a {suffixes[0][1:].upper()}; "
                                             f"not overwriting it")
        return path
    return check


def png_type(outputs_dir=None):
    """argparse type for --save (output_type's checks; outputs_dir: the chapter's outputs/)."""
    return output_type("--save", (".png",), outputs_dir, kind=lambda path: has_magic(path, b"\x89PNG"))


png_path = png_type()  # (a --save that no chapter's outputs/ goes with)


def gif_type(output_dir):
    """argparse type for --gif (output_type's checks). output_dir: the chapter's outputs/,
    made when the GIF is written."""
    return output_type("--gif", (".gif",), output_dir, kind=is_gif)


def is_gif(path):
    return has_magic(path, b"GIF87a") or has_magic(path, b"GIF89a")


def has_magic(path, start):
    """True when the file begins with these bytes (a PNG, a GIF): it may be written over."""
    try:
        with open(path, "rb") as file:
            return file.read(len(start)) == start
    except OSError:
        return False


def add_figure_flags(parser, live=False):
    """--save and --no-show; for training scripts (live=True) also --no-live and --gif."""
    parser.add_argument("--save", type=png_type(parser.chapter_dir / "outputs"), metavar="PATH",
                        help="also write the figure to this .png file")
    parser.add_argument("--no-show", action="store_true",
                        help="do not open a window (the figure is still saved with --save)")
    if live:
        parser.add_argument("--no-live", action="store_true",
                            help="do not update the figure while training; show it at the end only")
        parser.add_argument("--gif", type=gif_type(parser.chapter_dir / "outputs"), metavar="PATH",
                            help="also write the training as an animated GIF (works without a window)")


def keep_results_on_ctrl_c(watcher):
    """Decorator for train_model: Ctrl-C stops training, and the script goes on to its
    figures with what was learned. watcher: the name of train_model's argument that watches
    the loop (the LiveView): it says how many epochs ran, and its state is returned.

        @keep_results_on_ctrl_c("live")
        def train_model(model, points, labels, epochs, lr, live): ...
    """
    def decorate(train_model):
        signature = inspect.signature(train_model)
        if watcher not in signature.parameters:
            raise TypeError(f"{train_model.__name__} has no argument {watcher!r} to watch the loop")

        @functools.wraps(train_model)
        def run(*args, **kwargs):
            watching = signature.bind(*args, **kwargs).arguments[watcher]
            try:
                return train_model(*args, **kwargs)
            except KeyboardInterrupt:
                print(f"Interrupted after {watching.epochs_done} epochs: showing what was learned so far.",
                      flush=True)
                return watching.state
        return run
    return decorate


def exit_now():
    """End the process as soon as a training script is done. Python's clean-up at exit
    takes about a second once torch has loaded its compiler modules, and a finished run
    has nothing left to clean up: every file is written."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # output cut short (`| head`): end as the excepthook does
        os._exit(1)
    os._exit(0)
