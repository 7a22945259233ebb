"""Which folders of the repository are chapters: found by one rule, never listed.

The rule (written here and nowhere else): a chapter is a top-level folder of the repository
whose pyproject.toml installs booktools through a uv path source, that is, `booktools` is one
of its [project] dependencies and [tool.uv.sources] gives it a `path`. booktools' own folder
is not a chapter (nothing installs itself); its suite runs beside the chapters' (suites()).

Everything that goes over the chapters asks this file: test.sh, readme_check/, platform_check/,
bench.py and the GitHub Actions workflow. A new chapter folder is tested, checked and
benchmarked as soon as its pyproject.toml says the line above; nothing else names it.

It uses only the standard library (tomllib: Python 3.11, the project's Python), so each of them
can run it without installing anything:

    python3 booktools/booktools/chapters.py             the chapters, one a line
    python3 booktools/booktools/chapters.py --json      the same as a JSON list (the workflow's matrix)
    python3 booktools/booktools/chapters.py --suites    every test suite, the longest first (test.sh)
    uv run --no-project python booktools/booktools/chapters.py ...   where python3 is older than 3.11

From Python outside a chapter's environment (readme_check, platform_check, bench.py), by path:
    find_chapters = runpy.run_path("booktools/booktools/chapters.py")["find_chapters"]
and inside one: `from booktools.chapters import find_chapters`.
"""
import json
import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    message = ("chapters.py needs Python 3.11 or newer (tomllib): "
               "run it as `uv run --no-project python booktools/booktools/chapters.py`")
    if __name__ == "__main__":
        sys.exit(f"error: {message}")
    raise ModuleNotFoundError(message) from None

SHARED = "booktools"
ROOT = Path(__file__).resolve().parents[2]  # booktools/booktools/chapters.py -> the repository


def shared_path_source(folder):
    """The folder that `folder`'s pyproject.toml installs booktools from through a uv path
    source, or None when it does not (no pyproject.toml, booktools not a dependency, or not
    from a path). A pyproject.toml that is not valid TOML is an error naming the file: a
    chapter must not drop out of the tests silently."""
    pyproject = Path(folder) / "pyproject.toml"
    if not pyproject.is_file():
        return None
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{pyproject}: not valid TOML ({error})") from None
    names = {_name(dependency) for dependency in data.get("project", {}).get("dependencies", [])}
    if SHARED not in names:
        return None
    sources = data.get("tool", {}).get("uv", {}).get("sources", {})
    source = next((value for key, value in sources.items() if _normalize(key) == SHARED), None)
    # A source is a table, or a list of tables (one per platform marker).
    for table in source if isinstance(source, list) else [source]:
        if isinstance(table, dict) and isinstance(table.get("path"), str):
            return (Path(folder) / table["path"]).resolve()
    return None


def find_chapters(root=ROOT):
    """The names of the chapter folders of `root`, sorted."""
    root = Path(root)
    return sorted(folder.name for folder in root.iterdir()
                  if folder.is_dir() and not folder.name.startswith(".")
                  and shared_path_source(folder) is not None)


def suites(root=ROOT):
    """Every folder with a test suite: the chapters, and the shared package folders they
    install (booktools), the longest first. How long a suite runs is guessed from the size of
    its tests/ (a suite that trains models has more to say); test.sh hands them out in this
    order to whichever of its lanes is free, so a wrong guess costs little."""
    root = Path(root).resolve()
    names = set(find_chapters(root))
    for chapter in list(names):
        shared = shared_path_source(root / chapter)
        if shared.parent == root and (shared / "tests").is_dir():
            names.add(shared.name)
    return sorted(names, key=lambda name: (-_size_of_tests(root / name), name))


def _size_of_tests(folder):
    return sum(path.stat().st_size for path in (folder / "tests").rglob("*.py"))


def _name(requirement):
    """The normalized project name a PEP 508 requirement string starts with."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    return _normalize(match.group(1)) if match else ""


def _normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    usage = "usage: chapters.py [--json | --suites] [ROOT]"
    flags = [arg for arg in args if arg.startswith("-")]
    rest = [arg for arg in args if not arg.startswith("-")]
    if flags in (["-h"], ["--help"]):
        _print(usage + "\n\n" + "\n\n".join(__doc__.split("\n\n")[:2]))
        return 0
    if len(flags) > 1 or set(flags) - {"--json", "--suites"} or len(rest) > 1:
        print(f"error: {usage}", file=sys.stderr)
        return 2
    root = Path(rest[0]) if rest else ROOT
    try:
        names = suites(root) if flags == ["--suites"] else find_chapters(root)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not names:
        print(f"error: no chapter folders in {root}", file=sys.stderr)
        return 2
    _print(json.dumps(names) if flags == ["--json"] else "\n".join(names))
    return 0


def _print(text):
    try:
        print(text, flush=True)
    except BrokenPipeError:  # cut short (| head): end quietly
        sys.stdout = None


if __name__ == "__main__":
    sys.exit(main())
