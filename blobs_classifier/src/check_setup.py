"""Can this machine run blobs_classifier? Prints what it finds, one line each, with a fix under
each problem; exit 0 when the chapter can run, 1 when not. The checks are in booktools."""
import sys

import booktools.check_setup


def main(argv=None):
    return booktools.check_setup.main(__file__, argv)


if __name__ == "__main__":
    sys.exit(main())
