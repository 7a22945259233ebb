"""Every chapter resolves on every reader's machine, to the versions the top README lists.

For each chapter and each platform below, `uv pip compile` resolves the chapter's
dependencies (with its dev group: the tests run on those machines too) the way a reader's
uv would: Python 3.11, wheels only (a reader compiles nothing), the chapter's own
`exclude-newer` date. It asks the package index (uv's cache answers most of it).
The resolved torch / torchvision / numpy of every chapter and platform must be the table
in README.md, so the README cannot drift from what readers get; a chapter without a row
there fails with the row to add. The chapters are those booktools/booktools/chapters.py finds.

    uv run --no-project --with pytest pytest platform_check     (./test.sh runs it)
    uv run --no-project python platform_check/test_resolve.py   (prints the table)
"""
import os
import re
import runpy
import subprocess
import tomllib
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = runpy.run_path(str(ROOT / "booktools" / "booktools" / "chapters.py"))["find_chapters"](ROOT)
# (column title in README.md, uv's --python-platform, macOS version the wheels must support)
PLATFORMS = [
    ("Linux x86_64", "x86_64-unknown-linux-gnu", None),
    ("Linux arm64", "aarch64-unknown-linux-gnu", None),
    ("Windows x86_64", "x86_64-pc-windows-msvc", None),
    # torch 2.15.0's Mac wheels need macOS 14, which every Apple Silicon Mac can run.
    ("Mac（Apple Silicon）", "aarch64-apple-darwin", "14.0"),
    # 10.15: the oldest macOS torch 2.2.2 supports; an Intel Mac still on it resolves too.
    ("Mac（Intel）", "x86_64-apple-darwin", "10.15"),
]
PACKAGES = ["torch", "torchvision", "numpy"]


@cache
def resolve(chapter, platform):
    """{package: version} of the chapter resolved for the platform (uv's error if none)."""
    _, target, macos = next(p for p in PLATFORMS if p[1] == platform)
    folder = ROOT / chapter
    date = tomllib.loads((folder / "pyproject.toml").read_text("utf-8"))["tool"]["uv"]["exclude-newer"]
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "MACOSX_DEPLOYMENT_TARGET")}
    if macos:
        env["MACOSX_DEPLOYMENT_TARGET"] = macos
    done = subprocess.run(
        ["uv", "pip", "compile", "pyproject.toml", "--group", "dev", "--python-version", "3.11",
         "--python-platform", target, "--only-binary", ":all:", "--exclude-newer", date,
         "--no-header", "--no-annotate", "--quiet"],
        cwd=folder, env=env, capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert done.returncode == 0, f"{chapter} does not resolve for {target}:\n{done.stderr}"
    return dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", done.stdout, re.M))


def cell(versions):
    return " / ".join(versions.get(p, "-") for p in PACKAGES)


HEADER = "| 章 | " + " | ".join(title for title, _, _ in PLATFORMS) + " |"


def row(chapter):
    """The chapter's row of README.md's table: torch / torchvision / numpy on each platform."""
    return f"| {chapter} | " + " | ".join(cell(resolve(chapter, target)) for _, target, _ in PLATFORMS) + " |"


def version_table():
    """The Markdown table of README.md: chapter x platform, torch / torchvision / numpy."""
    return "\n".join([HEADER, "| --- |" + " --- |" * len(PLATFORMS)] + [row(chapter) for chapter in CHAPTERS])


def readme_rows(text):
    """{first cell: row} of the table under HEADER in `text` (README.md)."""
    lines = text.splitlines()
    assert HEADER in lines, f"README.md has no version table with the header\n{HEADER}"
    rows = {}
    for line in lines[lines.index(HEADER) + 2:]:
        if not line.startswith("|"):
            break
        rows[line.split("|")[1].strip()] = line
    return rows


def uses_torchvision(chapter):
    dependencies = tomllib.loads((ROOT / chapter / "pyproject.toml").read_text("utf-8"))["project"]["dependencies"]
    return any(re.match(r"torchvision\b", dependency) for dependency in dependencies)


@pytest.mark.parametrize("platform", [target for _, target, _ in PLATFORMS])
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_resolves(chapter, platform):
    versions = resolve(chapter, platform)
    major_minor = tuple(int(n) for n in versions["torch"].split(".")[:2])
    numpy_major = int(versions["numpy"].split(".")[0])
    if platform == "x86_64-apple-darwin":
        # torch 2.2.2 is built against numpy 1.x: numpy 2 would stop its import.
        assert major_minor == (2, 2) and numpy_major == 1, versions
    else:
        assert major_minor >= (2, 5) and numpy_major == 2, versions
    if uses_torchvision(chapter):
        # torchvision 0.17 is the one built for torch 2.2
        intel = platform == "x86_64-apple-darwin"
        assert (versions["torchvision"].startswith("0.17.")) == intel, versions
    else:
        assert "torchvision" not in versions, versions


def test_readme_lists_the_resolved_versions():
    rows = readme_rows((ROOT / "README.md").read_text("utf-8"))
    missing = [chapter for chapter in CHAPTERS if chapter not in rows]
    assert not missing, ("README.md's version table (マシンごとのバージョン) has no row for the chapter "
                         + ", ".join(missing) + "; add (resolved just now):\n" + "\n".join(map(row, missing)))
    unknown = [name for name in rows if name not in CHAPTERS]
    assert not unknown, f"README.md's version table has rows for folders that are not chapters: {unknown}"
    wrong = [(rows[chapter], row(chapter)) for chapter in CHAPTERS if rows[chapter] != row(chapter)]
    assert not wrong, "README.md's version table differs from what resolves now (README, then resolved):\n" + \
        "\n".join(f"{old}\n{new}" for old, new in wrong)


def test_a_missing_row_is_named():
    text = "\n".join([HEADER, "| --- |", "| some_chapter | x |", "", "| other | y |"])
    assert readme_rows(text) == {"some_chapter": "| some_chapter | x |"}


if __name__ == "__main__":
    print(version_table())
