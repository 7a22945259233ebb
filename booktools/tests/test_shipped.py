"""booktools.shipped and the figure's header: "default settings" only while the flags are the
defaults and src/ is as it ships; otherwise what the reader changed, flags and code."""
import shutil
from pathlib import Path

import pytest

from booktools import records, shipped
from booktools.cli import Parser

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted(path.parent for path in ROOT.glob("*/src.sha256")) + [Path(__file__).parent / "chapter"]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.name)
def test_each_chapters_src_sha256_matches_its_src(chapter):
    code = records.read_code(chapter / "src")
    assert shipped.edited_files(code, chapter) == [], (
        f"{chapter.name}/src changed: run `python -m booktools.shipped {chapter.name}` (from the repository's "
        "top folder, in booktools' environment) so its figures still say 'default settings'")


def test_the_chapters_are_all_there():
    names = {chapter.name for chapter in CHAPTERS}
    assert {"point_classifier_2d", "mnist", "blobs_classifier", "mlp_regression", "chapter"} <= names


def header(src, argv):
    parser = Parser(src / "fit.py")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=0.1)
    records.add_compare_flags(parser)
    record = records.start_record(parser.parse_args(argv))
    record.finish({"loss": [0.5, 0.25]}, {"loss": 0.25})
    return record.header()


def test_the_header_says_default_settings_only_for_the_code_as_it_ships(tmp_path, runs_dir):
    src = tmp_path / "mine" / "src"
    src.mkdir(parents=True)
    (src / "fit.py").write_text("rate = 0.1\nlayer = Linear(2, 128)\n", encoding="utf-8")
    shipped.write_manifest(src.parent)
    assert header(src, []) == "fit.py (default settings)"
    assert header(src, ["--epochs", "3", "--lr", "0.1"]) == "fit.py (default settings)"  # defaults typed out
    assert header(src, ["--lr", "0.2", "--epochs", "5"]) == "fit.py: epochs 5, lr 0.2"  # (in the flags' order)
    # The reader edits the code: said in a run label's words, against the code as it ships
    # (found in the records of the runs above).
    (src / "fit.py").write_text("rate = 0.1\nlayer = Linear(2, 64)\n", encoding="utf-8")
    edited = header(src, ["--epochs", "5"])
    assert edited == "fit.py: epochs 5, layer Linear(2, 64)"  # (the script's own edit: no file name twice)
    # No record of the code as it ships: the files edited are named.
    shutil.rmtree(runs_dir)
    assert header(src, []) == "fit.py: fit.py edited"
    # A Windows checkout's line ends are no edit.
    (src / "fit.py").write_bytes(b"rate = 0.1\r\nlayer = Linear(2, 128)\r\n")
    assert header(src, []) == "fit.py (default settings)"
    # A file added to src/ is an edit too; a chapter without src.sha256 cannot tell.
    (src / "helper.py").write_text("x = 1\n", encoding="utf-8")
    assert shipped.edited_files(records.read_code(src), src.parent) == ["helper.py"]
    (src.parent / shipped.MANIFEST).unlink()
    assert shipped.edited_files(records.read_code(src), src.parent) is None
    assert header(src, []) == "fit.py (default settings)"
