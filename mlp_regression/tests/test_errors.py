import shutil
from pathlib import Path

import pytest

import train

CHAPTER_DIR = Path(__file__).resolve().parent.parent
RENT_CSV = CHAPTER_DIR / "data" / "rent.csv"


def rent_lines(n=None):
    lines = RENT_CSV.read_text(encoding="utf-8").splitlines()
    return lines if n is None else lines[: n + 1]


def write(tmp_path, name, lines):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def bad_data(tmp_path, kind):
    if kind == "missing file":
        return tmp_path / "nope.csv"
    if kind == "empty file":
        return write(tmp_path, "empty.csv", [])
    if kind == "missing column":
        lines = [",".join(line.split(",")[:2] + line.split(",")[3:]) for line in rent_lines(50)]
        return write(tmp_path, "no_walk.csv", lines)
    if kind == "non-numeric cell":
        lines = rent_lines(50)
        lines[7] = "25.0,old,5,8.1"
        return write(tmp_path, "text.csv", lines)
    if kind == "too few rows":
        return write(tmp_path, "few.csv", rent_lines(5))
    if kind == "directory":
        return tmp_path
    if kind == "no header, 5 columns":
        return write(tmp_path, "five.csv", [line + ",1" for line in rent_lines(50)[1:]])


DATA_CASES = {
    "missing file": "data file not found",
    "empty file": "is empty",
    "missing column": "missing column(s) walk_min",
    "non-numeric cell": "line 8: age_years is not a number: 'old'",
    "too few rows": "only 5 data rows",
    "directory": "cannot read",
    "no header, 5 columns": "no header line, so each line needs the 4 columns",
}

FLAG_CASES = [
    (["--epochs", "0"], "--epochs must be positive"),
    (["--epochs", "-3"], "--epochs must be positive"),
    (["--epochs", "ten"], "invalid int value"),
    (["--lr", "0"], "--lr must be a positive number"),
    (["--lr", "-0.1"], "--lr must be a positive number"),
    (["--lr", "nan"], "--lr must be a positive number"),
    (["--hidden", "0"], "--hidden must be positive"),
    (["--batch-size", "0"], "--batch-size must be positive"),
    (["--predict", "-60", "2", "3"], "--predict needs SIZE > 0"),
    (["--predict", "60", "-2", "3"], "--predict needs SIZE > 0"),
    (["--predict", "60", "2", "-3"], "--predict needs SIZE > 0"),
    (["--predict", "60", "2"], "expected 3 arguments"),
    (["--predict", "60", "two", "3"], "invalid float value"),
    (["--save", "rent.csv"], "--save needs a .png file name"),
    (["--compare", "0"], "--compare needs a number of earlier runs, 1 or more, got '0'"),
    (["--unknown"], "unrecognized arguments"),
]


def assert_one_line_error(capsys, argv, expected):
    with pytest.raises(SystemExit) as exc:
        train.main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert expected in err
    assert "Traceback" not in err


@pytest.mark.parametrize("kind", DATA_CASES)
def test_bad_data_file(tmp_path, capsys, kind):
    path = bad_data(tmp_path, kind)
    assert_one_line_error(capsys, ["--data", str(path), "--no-show"], DATA_CASES[kind])


@pytest.mark.parametrize("argv, expected", FLAG_CASES)
def test_bad_flag(capsys, argv, expected):
    assert_one_line_error(capsys, argv + ["--no-show"], expected)


def test_other_csv_with_same_columns_trains(tmp_path, capsys):
    # Extra columns and a different column order are fine.
    lines = rent_lines(120)
    reordered = [",".join([c[3], c[0], "x", c[2], c[1]]) for c in (line.split(",") for line in lines)]
    reordered[0] = "rent_man_yen,size_m2,note,walk_min,age_years"
    path = write(tmp_path, "mine.csv", reordered)
    train.main(["--data", str(path), "--epochs", "5", "--no-show", "--save", str(tmp_path / "f.png")])
    assert "Test R^2: MLP" in capsys.readouterr().out


def test_save_does_not_touch_a_csv(tmp_path, capsys):
    target = tmp_path / "rent.csv"
    shutil.copy(RENT_CSV, target)
    before = target.read_bytes()
    assert_one_line_error(capsys, ["--save", str(target), "--no-show"], "--save needs a .png file name")
    assert target.read_bytes() == before


def test_csv_without_a_header_line_gives_the_same_result(tmp_path, capsys):
    # As in the point chapter: a first line with no number in it is the header; without one
    # the columns are size_m2,age_years,walk_min,rent_man_yen in this order.
    headless = write(tmp_path, "rent_no_header.csv", rent_lines()[1:])
    results = []
    for path in (RENT_CSV, headless):
        train.main(["--data", str(path), "--epochs", "20", "--no-show", "--save", str(tmp_path / "f.png")])
        results.append([line for line in capsys.readouterr().out.splitlines()
                        if not line.startswith("Saved figure")])
    assert results[0] == results[1]
    assert any(line.startswith("Test R^2: MLP") for line in results[0])


def test_headerless_csv_reports_the_line_of_a_bad_cell(tmp_path, capsys):
    lines = rent_lines(50)[1:]
    lines[6] = "25.0,old,5,8.1"
    path = write(tmp_path, "bad_no_header.csv", lines)
    assert_one_line_error(capsys, ["--data", str(path), "--no-show"], "line 7: age_years is not a number")


def test_a_data_file_not_found_names_where_it_looked_and_the_file_meant(capsys, monkeypatch):
    """`--data rent.csv` typed in the chapter's folder: the file is data/rent.csv."""
    monkeypatch.chdir(CHAPTER_DIR)
    assert_one_line_error(capsys, ["--data", "rent.csv"],
                          f"error: data file not found: rent.csv (looked for {CHAPTER_DIR / 'rent.csv'}); "
                          "CSV files in data/: rent.csv (did you mean data/rent.csv?)")
    monkeypatch.chdir(CHAPTER_DIR / "src")  # from another folder: the way there
    assert_one_line_error(capsys, ["--data", "rent.csv"], "(did you mean ../data/rent.csv?)")


def test_a_shape_error_ends_with_a_hint_naming_the_readers_line(tmp_path):
    """fc1 made to take 4 numbers: the data has 3 columns (size, age, walk)."""
    from booktools.testing import run_edited

    result = run_edited(CHAPTER_DIR, tmp_path, [("src/train.py", "nn.Linear(3, hidden)", "nn.Linear(4, hidden)")],
                        "train.py", "--epochs", "1", "--no-show")
    lines = result.stderr.splitlines()
    assert result.returncode == 1 and lines[0] == "Traceback (most recent call last):"
    assert lines[-2] == "RuntimeError: addmm: mat1 and mat2 shapes cannot be multiplied (16x3 and 4x16)"
    code = (tmp_path / "src" / "train.py").read_text(encoding="utf-8").splitlines()
    fc1 = next(n for n, line in enumerate(code, start=1) if line.strip().startswith("u = self.fc1(x)"))
    assert lines[-1] == (f"hint: src/train.py line {fc1}, u = self.fc1(x): fc1 is Linear(4, 16) and takes 4 numbers "
                         "per row, but x, the input, has 3 (16x3): make fc1 take 3 (print(x.shape) before this line "
                         "shows it)")
