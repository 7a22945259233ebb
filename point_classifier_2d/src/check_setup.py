"""Can this machine run point_classifier_2d? One line each (OS, Python, uv, torch, windows...);
exit 1 when a line marked PROBLEM says what to do first. The checks are in booktools."""
import sys

import booktools.check_setup


def main(argv=None):
    return booktools.check_setup.main(__file__, argv)


if __name__ == "__main__":
    sys.exit(main())
