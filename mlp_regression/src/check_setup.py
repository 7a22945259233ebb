"""Checks this machine for mlp_regression: the OS, Python, uv, torch and more, one line each.
A PROBLEM line (exit 1) says what to do first; booktools holds the checks."""
import sys

import booktools.check_setup


def main(argv=None):
    return booktools.check_setup.main(__file__, argv)


if __name__ == "__main__":
    sys.exit(main())
