"""Regenerate data/rent.csv: synthetic Tokyo-style rents from a known rule plus noise.

    uv run ./data/make_rent_data.py            # rewrites data/rent.csv
    uv run ./data/make_rent_data.py --out PATH # writes elsewhere (used by the tests)

The rule (rent in 万円 per month):
    rent = 2.3 * size_m2 ** 0.6 * station * age
    station = 0.72 + 0.28 * exp(-(walk_min - 1) / 4)   # the first minutes cost the most
    age     = 1 - 0.35 * (1 - exp(-age_years / 15))      # new buildings lose value fastest
then multiplied by about 4 % random noise and rounded to 0.1 万円.
"""

import argparse
import csv
from pathlib import Path

import numpy as np

CHAPTER_DIR = Path(__file__).resolve().parent.parent
DEFAULT_OUT = CHAPTER_DIR / "data" / "rent.csv"
N_ROWS = 400
SEED = 2024
HEADER = ["size_m2", "age_years", "walk_min", "rent_man_yen"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="CSV file to write")
    args = parser.parse_args(argv)
    rows = make_rows(N_ROWS, SEED)
    write_csv(args.out, rows)
    print(f"Wrote {len(rows)} rows to {args.out}")


def make_rows(n, seed):
    rng = np.random.default_rng(seed)
    # Small rooms are more common than large ones, as in a real listing site.
    size = np.round(15 + 65 * rng.beta(1.4, 2.2, n), 1)
    age = rng.integers(0, 41, n)
    walk = rng.integers(1, 26, n)
    rent = true_rent(size, age, walk) * np.exp(rng.normal(0.0, 0.04, n))
    rent = np.round(rent, 1)
    return [[f"{s:.1f}", str(a), str(w), f"{r:.1f}"] for s, a, w, r in zip(size, age, walk, rent)]


def true_rent(size, age, walk):
    """The noise-free rule, in 万円."""
    station = 0.72 + 0.28 * np.exp(-(walk - 1) / 4)
    age_factor = 1 - 0.35 * (1 - np.exp(-age / 15))
    return 2.3 * size**0.6 * station * age_factor


def write_csv(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)


if __name__ == "__main__":
    main()
