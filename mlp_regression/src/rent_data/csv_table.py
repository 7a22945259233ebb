"""Reading a CSV table of numbers, checked row by row: a bad file ends the run with one line."""

import csv
import math
from pathlib import Path

import numpy as np

from booktools.cli import fail
from booktools.hints import missing_file

DATA_DIR = Path(__file__).resolve().parents[2] / "data"  # the chapter's data/


def read_table(path, columns, min_rows):
    """The named columns of a CSV file as a float array (rows x columns), in that order.
    A bad file ends the run with one line on stderr (exit 2)."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
    except FileNotFoundError:  # where it looked, and the CSV files there and in data/
        fail(missing_file(path, also=[DATA_DIR]))
    except (OSError, UnicodeDecodeError) as e:
        fail(f"cannot read {path}: {e}")
    if not any(cell.strip() for row in rows for cell in row):
        fail(f"{path} is empty")
    first = next(i for i, row in enumerate(rows) if any(cell.strip() for cell in row))
    header = [name.strip() for name in rows[first]]
    if any(is_number(cell) for cell in header):  # no header line: the columns in their order
        if len(header) != len(columns):
            fail(f"{path}: no header line, so each line needs the {len(columns)} columns "
                 f"{','.join(columns)} in this order; line {first + 1} has {len(header)}")
        header, first = list(columns), first - 1
    missing = [name for name in columns if name not in header]
    if missing:
        fail(f"{path}: missing column(s) {', '.join(missing)} (need {','.join(columns)})")
    indices = [header.index(name) for name in columns]
    values = []
    for line_no, row in enumerate(rows[first + 1:], start=first + 2):
        if not any(cell.strip() for cell in row):
            continue  # tolerate blank lines, e.g. at the end of the file
        record = []
        for name, col in zip(columns, indices):
            cell = row[col].strip() if col < len(row) else ""
            try:
                number = float(cell)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                fail(f"{path} line {line_no}: {name} is not a number: {cell!r}")
            record.append(number)
        values.append(record)
    if len(values) < min_rows:
        fail(f"{path}: only {len(values)} data rows, need at least {min_rows}")
    return np.array(values, dtype=np.float64)


def is_number(cell):
    try:
        return math.isfinite(float(cell))
    except ValueError:
        return False
