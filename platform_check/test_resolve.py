"""Every chapter resolves on every reader's machine, to the versions the top README lists.

For each chapter and each platform below, `uv pip compile` resolves the chapter's
dependencies (with its dev group: the tests run on those machines too) the way a reader's
uv would: Python 3.11, wheels only (a reader compiles nothing), the chapter's own
`exclude-newer` date. It asks the package index (uv's cache answers most of it).
The resolved torch / torchvision / numpy of every chapter and platform must be the table
in README.md, so the README cannot drift from what readers get.

    uv run --no-project --with pytest pytest platform_check     (./test.sh runs it)
    uv run --no-project python platform_check/test_resolve.py   (prints the table)
"""
import os
import re
import subprocess
import tomllib
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ["point_classifier_2d", "mnist", "blobs_classifier", "mlp_regression"]
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


def version_table():
    """The Markdown table of README.md: chapter x platform, torch / torchvision / numpy."""
    lines = ["| 章 | " + " | ".join(title for title, _, _ in PLATFORMS) + " |",
             "| --- |" + " --- |" * len(PLATFORMS)]
    for chapter in CHAPTERS:
        lines.append(f"| {chapter} | "
                     + " | ".join(cell(resolve(chapter, target)) for _, target, _ in PLATFORMS) + " |")
    return "\n".join(lines)


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
    if chapter == "mnist":
        # torchvision 0.17 is the one built for torch 2.2
        intel = platform == "x86_64-apple-darwin"
        assert (versions["torchvision"].startswith("0.17.")) == intel, versions
    else:
        assert "torchvision" not in versions, versions


def test_readme_lists_the_resolved_versions():
    table = version_table()
    readme = (ROOT / "README.md").read_text("utf-8")
    assert table in readme, f"README.md should contain this table (resolved just now):\n\n{table}"


if __name__ == "__main__":
    print(version_table())
