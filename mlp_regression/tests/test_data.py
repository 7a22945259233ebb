import csv
import importlib.util
from pathlib import Path

import numpy as np

CHAPTER_DIR = Path(__file__).resolve().parent.parent
RENT_CSV = CHAPTER_DIR / "data" / "rent.csv"


def load_generator():
    spec = importlib.util.spec_from_file_location("make_rent_data", CHAPTER_DIR / "data" / "make_rent_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generator_reproduces_the_shipped_csv(tmp_path):
    out = tmp_path / "rent.csv"
    load_generator().main(["--out", str(out)])
    assert out.read_bytes() == RENT_CSV.read_bytes()


def test_shipped_csv_is_plausible():
    with open(RENT_CSV, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["size_m2", "age_years", "walk_min", "rent_man_yen"]
    data = np.array(rows[1:], dtype=float)
    assert 200 <= len(data) <= 1000
    size, age, walk, rent = data.T
    assert size.min() >= 15 and size.max() <= 80
    assert age.min() >= 0 and age.max() <= 40
    assert walk.min() >= 1 and walk.max() <= 25
    assert rent.min() >= 3 and rent.max() <= 30
    # Bigger rooms cost more; older buildings and longer walks cost less.
    assert np.corrcoef(size, rent)[0, 1] > 0.5
    assert np.corrcoef(age, rent)[0, 1] < 0
    assert np.corrcoef(walk, rent)[0, 1] < 0
