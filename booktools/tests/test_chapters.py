"""chapters.py: the one rule that says which folders are chapters (test.sh, the checks, the
workflow and bench.py all ask it)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from booktools import chapters
from booktools.chapters import find_chapters, suites

CHAPTERS_PY = Path(chapters.__file__)
REPOSITORY = CHAPTERS_PY.parents[2]

SOURCE = '\n[tool.uv.sources]\nbooktools = { path = "../booktools", editable = true }\n'


def pyproject(dependencies=('"booktools"', '"torch>=2.5"'), tail=SOURCE):
    return ('[project]\nname = "x"\nversion = "0.1.0"\n'
            f"dependencies = [{', '.join(dependencies)}]\n" + tail)


def make_repository(root, folders):
    """root/NAME/pyproject.toml with the given text for each folder (None: a folder without one),
    plus booktools/ with its own pyproject.toml and tests."""
    (root / "booktools" / "tests").mkdir(parents=True)
    (root / "booktools" / "pyproject.toml").write_text(
        '[project]\nname = "booktools"\nversion = "0.1.0"\ndependencies = ["numpy"]\n', "utf-8")
    (root / "booktools" / "tests" / "test_a.py").write_text("def test_a():\n    pass\n", "utf-8")
    for name, text in folders.items():
        (root / name).mkdir(parents=True)
        if text is not None:
            (root / name / "pyproject.toml").write_text(text, "utf-8")
    return root


def test_a_folder_that_installs_booktools_from_a_path_is_a_chapter(tmp_path):
    root = make_repository(tmp_path, {
        "zeta_chapter": pyproject(),
        "alpha_chapter": pyproject(dependencies=('"BookTools>=0.1"',)),  # names compare normalized
        # a list of sources (one per platform marker) with a path
        "marker_chapter": pyproject(tail='\n[tool.uv.sources]\nbooktools = [{ path = "../booktools", '
                                         'marker = "sys_platform == \'linux\'" }]\n'),
        # booktools from an index, not a path: not one of ours
        "from_pypi": pyproject(tail=""),
        "from_git": pyproject(tail='\n[tool.uv.sources]\nbooktools = { git = "https://example.org/b" }\n'),
        # a path source for booktools that it does not install
        "not_a_dependency": pyproject(dependencies=('"torch"',)),
        "no_pyproject": None,
        ".hidden": pyproject(),
    })
    (root / "no_pyproject" / "src").mkdir()
    (root / "zeta_chapter" / "nested").mkdir()
    (root / "zeta_chapter" / "nested" / "pyproject.toml").write_text(pyproject(), "utf-8")  # not top-level
    assert find_chapters(root) == ["alpha_chapter", "marker_chapter", "zeta_chapter"]


def test_booktools_is_no_chapter_but_has_a_suite_and_suites_come_longest_first(tmp_path):
    root = make_repository(tmp_path, {"short": pyproject(), "long": pyproject(), "untested": pyproject()})
    for name, size in [("short", 10), ("long", 5000)]:
        (root / name / "tests").mkdir()
        (root / name / "tests" / "test_x.py").write_text("#" * size, "utf-8")
    assert find_chapters(root) == ["long", "short", "untested"]
    # booktools' test is 29 bytes: between the two; a chapter without tests comes last
    assert suites(root) == ["long", "booktools", "short", "untested"]


def test_a_broken_pyproject_is_an_error_naming_it(tmp_path):
    root = make_repository(tmp_path, {"good": pyproject(), "broken": pyproject() + "[project\n"})
    with pytest.raises(ValueError, match=r"broken.pyproject\.toml: not valid TOML"):
        find_chapters(root)


def run_chapters_py(*args):
    # -I -S: no site-packages and no current folder on the path, so the standard library only,
    # as bash and the workflow run it.
    return subprocess.run([sys.executable, "-I", "-S", str(CHAPTERS_PY), *args], capture_output=True,
                          text=True, encoding="utf-8", timeout=60)


def test_the_command_line_prints_lines_json_and_suites(tmp_path):
    root = make_repository(tmp_path, {"b_chapter": pyproject(), "a_chapter": pyproject()})
    assert run_chapters_py(str(root)).stdout == "a_chapter\nb_chapter\n"
    assert json.loads(run_chapters_py("--json", str(root)).stdout) == ["a_chapter", "b_chapter"]
    assert run_chapters_py("--suites", str(root)).stdout.split() == ["booktools", "a_chapter", "b_chapter"]
    for args, message in [(["--jsn"], "usage"), (["--json", "--suites"], "usage"),
                          ([str(tmp_path / "booktools")], "no chapter folders")]:
        done = run_chapters_py(*args)
        assert done.returncode == 2 and done.stderr.startswith("error: ") and message in done.stderr, done


def test_every_folder_shaped_like_a_chapter_is_found():
    # A folder with a pyproject.toml, src/ and tests/ is meant to be a chapter: if the rule
    # misses it (its booktools line lost its path source), its tests would quietly stop running.
    shaped = sorted(folder.name for folder in REPOSITORY.iterdir()
                    if (folder / "pyproject.toml").is_file() and (folder / "src").is_dir()
                    and (folder / "tests").is_dir())
    found = run_chapters_py()
    assert found.returncode == 0, found.stderr
    assert found.stdout.split() == shaped and len(shaped) >= 1, (found.stdout, shaped)
    assert "booktools" in run_chapters_py("--suites").stdout.split()
