"""The flags this chapter's scripts share (--data-dir, --device, --seed and the figure flags),
and those of train_mlp.py and train_cnn.py. The rest of the command line (one-line errors,
seed, device and threads, Ctrl-C) is booktools.cli, the same in every chapter."""

import shlex
from pathlib import Path

from booktools.cli import Parser, add_figure_flags, output_type, positive_float, positive_int
from booktools.records import add_compare_flags

# Flags that change neither what is learned nor how it is learned: left out of figure titles,
# saved model files and "what differed" between runs (name: train.py or train_with_linear.py,
# which the record's script name says already).
NOT_SETTINGS = {"data_dir", "device", "save_model", "mistakes", "layers", "name"}


def add_common_flags(parser, device=True, live=False):
    """The flags every script of this chapter shares."""
    parser.add_argument("--data-dir", type=Path, default=parser.chapter_dir / "data",
                        help="folder holding MNIST/raw/ (or that MNIST or raw folder itself); "
                             "default: data/ of this chapter, where MNIST is downloaded")
    if device:
        parser.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], default="auto",
                            help="where to compute; auto picks cuda, then mps, then cpu")
        parser.add_argument("--seed", type=int, default=0,
                            help="random seed (same seed, same output on the same machine)")
    add_figure_flags(parser, live)
    parser.view_flags |= NOT_SETTINGS


def training_parser(script, description, epochs, lr, batch_size, model_file, partner):
    """The flags of train_mlp.py and train_cnn.py. script: the script's __file__; partner: the
    script whose earlier runs --compare draws too."""
    parser = Parser(script, description=description)
    parser.add_argument("--epochs", type=positive_int, default=epochs, help="passes over the training images")
    parser.add_argument("--lr", type=positive_float, default=lr, help="learning rate")
    parser.add_argument("--batch-size", type=positive_int, default=batch_size, help="images per update")
    parser.add_argument("--optimizer", choices=["adam", "sgd"], default="adam",
                        help="adam, or plain sgd as in the lecture's first try")
    parser.add_argument("--no-schedule", action="store_true",
                        help="keep the learning rate constant instead of lowering it epoch by epoch")
    parser.add_argument("--augment", action="store_true",
                        help="randomly rotate, shift, zoom, thicken or blur every training batch")
    parser.add_argument("--subset", type=positive_int, default=None,
                        help="train on only N images first (a quick check that learning works)")
    parser.add_argument("--save-model", type=model_path(parser.chapter_dir / "outputs"), default=model_file,
                        help="where to write the trained model (.pth)")
    add_common_flags(parser, live=True)
    add_compare_flags(parser, partner=partner)
    return parser


def model_path(outputs_dir):
    """argparse type for --save-model: only .pth/.pt, so a typo cannot overwrite other files; its
    folder must exist (outputs/ is made), as for --save and --gif."""
    return output_type("--save-model", (".pth", ".pt"), outputs_dir)


def typed(path, chapter_dir=None):
    """A path as the reader pastes it into a printed command (which runs in the chapter folder):
    relative to chapter_dir when it lies inside, with / as every shell takes it, and in double
    quotes when a space or the like would split it (single quotes where double ones do not hold it)."""
    path = Path(path)
    if chapter_dir is not None and path.is_absolute() and path.is_relative_to(chapter_dir):
        path = path.relative_to(chapter_dir)
    text = path.as_posix() if not path.is_absolute() else str(path)
    if shlex.quote(text) == text:
        return text
    return shlex.quote(text) if any(c in text for c in '"$`!') else f'"{text}"'
