"""Check that this machine can run mnist: one line each for the OS, Python, uv, torch,
figure windows and more, and whether the MNIST files are here. Exit 0 when the chapter
can run; 1 when a line marked PROBLEM says what to do first. The checks are booktools'."""
import sys

import booktools.check_setup
from digits.mnist_data import DEFAULT_DATA_DIR, FILE_NAMES, find_root


def main(argv=None):
    return booktools.check_setup.main(__file__, argv, chapter_checks=[booktools.check_setup.check_package("torchvision"), check_mnist])


def check_mnist(report, chapter_dir):
    """Not a block: train.py downloads MNIST on its first run, as the book says."""
    raw = DEFAULT_DATA_DIR / "MNIST" / "raw"
    if find_root(DEFAULT_DATA_DIR) is not None:
        report.line("ok", "MNIST", f"the four files are in {raw}")
        return
    missing = ", ".join(name for name in FILE_NAMES if not (raw / name).is_file())
    report.line("note", "MNIST", f"not here yet ({missing} missing in {raw}): the first run of a script "
                                 "downloads them (about 11 MB, compressed)",
                fix=f"without a network: put the four IDX files into {raw}, or pass their folder as --data-dir")


if __name__ == "__main__":
    sys.exit(main())
