"""Check that this machine can run the chapter: one line each for the OS and CPU, Python,
uv, torch, numpy, matplotlib, figure windows, the console and this folder.

    uv run ./src/check_setup.py

Exit status 0: the chapter can run here; 1: a line marked PROBLEM says what to do first.
The checks are the same in every chapter (booktools.check_setup).
"""
import sys

import booktools.check_setup


def main(argv=None):
    return booktools.check_setup.main(__file__, argv)


if __name__ == "__main__":
    sys.exit(main())
