"""Check that this machine can run mnist: one line each for the OS, Python, uv,
torch, figure windows and more. Exit 0 when it can; 1 when a line marked PROBLEM says
what to do first. The checks are booktools'."""
import sys

import booktools.check_setup


def main(argv=None):
    return booktools.check_setup.main(__file__, argv)


if __name__ == "__main__":
    sys.exit(main())
