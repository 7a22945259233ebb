"""Every place that goes over the chapters takes them from booktools/booktools/chapters.py
(the one rule: a top-level folder whose pyproject.toml installs booktools through a uv path
source) and names none of them, so a new chapter folder is tested, checked and benchmarked
as soon as it exists. (booktools/tests/test_chapters.py tests the rule itself.)

    uv run --no-project --with pytest pytest platform_check     (./test.sh runs it)
"""
import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS_PY = ROOT / "booktools" / "booktools" / "chapters.py"
CHAPTERS = runpy.run_path(str(CHAPTERS_PY))["find_chapters"](ROOT)

# Each file, and how it asks chapters.py.
USERS = {
    "test.sh": "chapters.py --suites",
    ".github/workflows/tests.yml": "chapters.py --json",
    "readme_check/conftest.py": '"chapters.py"))["find_chapters"]',
    "platform_check/test_resolve.py": '"chapters.py"))["find_chapters"]',
    "bench.py": '"chapters.py"))["find_chapters"]',
}


def names_of_chapters(text, chapters):
    """The chapter names `text` uses as words (a path such as shared/mnist is not a chapter)."""
    return sorted({name for name in chapters if re.search(rf"(?<![\w/.-]){re.escape(name)}(?!\w)", text)})


def test_the_name_finder_finds_names():
    assert names_of_chapters('chapters = "mnist point_classifier_2d"', ["mnist", "point_classifier_2d"]) \
        == ["mnist", "point_classifier_2d"]
    assert names_of_chapters("ROOT.parent / 'shared/mnist', {mnist_data}, MNIST", ["mnist"]) == []


@pytest.mark.parametrize("name", sorted(USERS))
def test_asks_chapters_py_and_names_no_chapter(name):
    text = (ROOT / name).read_text("utf-8")
    assert USERS[name] in text, f"{name} does not take the chapters from chapters.py ({USERS[name]!r})"
    named = names_of_chapters(text, CHAPTERS)
    assert not named, f"{name} names chapters ({', '.join(named)}): take them from chapters.py instead"


def test_bench_times_a_new_chapter_without_its_own_cases(tmp_path):
    # A repository of bench.py, chapters.py and two chapters: one with its bench/cases.toml,
    # one without (it gets the default row: its ./src/train.py).
    shutil.copy(ROOT / "bench.py", tmp_path)
    (tmp_path / "booktools" / "booktools").mkdir(parents=True)
    shutil.copy(CHAPTERS_PY, tmp_path / "booktools" / "booktools")
    pyproject = ('[project]\nname = "x"\nversion = "0"\ndependencies = ["booktools"]\n'
                 '[tool.uv.sources]\nbooktools = { path = "../booktools" }\n')
    for chapter in ("new_chapter", "measured"):
        (tmp_path / chapter / "src").mkdir(parents=True)
        (tmp_path / chapter / "pyproject.toml").write_text(pyproject, "utf-8")
        (tmp_path / chapter / "src" / "train.py").write_text("print('Loss: 0.5')\n", "utf-8")
    (tmp_path / "measured" / "bench").mkdir()
    (tmp_path / "measured" / "bench" / "cases.toml").write_text(
        '[[case]]\ncommand = "./src/train.py --fast"\nbaseline = "./src/train.py"\nresult = "Loss: (.*)"\nfloor = 0.9\n',
        "utf-8")
    done = subprocess.run([sys.executable, str(tmp_path / "bench.py"), "--list"], capture_output=True,
                          text=True, encoding="utf-8", timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["measured | ./src/train.py --fast | ./src/train.py | floor 90%",
                                        "new_chapter | ./src/train.py | - | -"], done.stdout
