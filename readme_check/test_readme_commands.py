"""What the READMEs say, checked without running it: no paths of the machine they were
written on (use /path/to/... instead), no command that writes into tracked files, and every
README or NOTES.md section a code comment points to exists.
(test_readme_path.py runs every README command, in order, and compares the outputs.)

    uv run --no-project --with pytest pytest readme_check     (./test.sh runs it,
                                                               2 at a time with pytest-xdist)
"""
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CHAPTERS, ROOT



def readme_commands():
    """(README, folder to run in, command) for every `uv run` line, in order."""
    found = []
    for readme, start in [(ROOT / "README.md", ROOT)] + [
            (ROOT / c / "README.md", ROOT / c) for c in CHAPTERS]:
        if not readme.exists():
            continue
        folder = start
        blocks = re.findall(r"^```(?:sh|bash|shell)\n(.*?)^```", readme.read_text("utf-8"),
                            re.S | re.M)
        for line in (l.strip() for block in blocks for l in block.splitlines()):
            if line.startswith("cd "):
                target = line[3:].strip()
                # `cd point_classifier_2d` means the chapter, from wherever the README is.
                folder = ROOT / target if (ROOT / target).is_dir() else folder / target
            elif line.startswith("uv run "):
                found.append((readme.relative_to(ROOT), folder, line))
    return found


COMMANDS = readme_commands()


# A path that only exists on the machine a README was written on: the build machine's
# folders, someone's home folder (placeholders such as /home/you/ are fine), a Python
# installation's site-packages. Write /path/to/... or .../site-packages/... instead.
MACHINE_PATH = re.compile(
    r"(?<![\w.])/(?:work|root|tmp|private|opt|srv)/"
    r"|(?<![\w.])/(?:home|Users)/(?!(?:you|user|<[^>]*>|\.\.\.)/)\w"
    r"|\b[A-Za-z]:\\Users\\(?!(?:you|user|<[^>]*>|\.\.\.)\\)\w"
    r"|/lib/python3\.\d+/site-packages|\\Lib\\site-packages", re.I)


def markdown_files():
    return sorted(ROOT.glob("*.md")) + sorted(ROOT.glob("*/*.md"))


def test_the_machine_path_check_catches_paths():
    for text in ["Saved figure to /work/main/blobs_classifier/outputs/train.png",
                 '  File "/root/project/.venv/lib/python3.11/site-packages/torch/nn/modules/linear.py"',
                 "Saved figure to /home/taro/book/mnist/outputs/train.png",
                 "Saved figure to /Users/hanako/book/mnist/outputs/train.png",
                 r"Saved figure to C:\Users\taro\book\mnist\outputs\train.png",
                 r"C:\Python311\Lib\site-packages\torch\nn\modules\linear.py"]:
        assert MACHINE_PATH.search(text), text
    for text in ["Saved figure to /path/to/blobs_classifier/outputs/train.png",
                 '  File ".../site-packages/torch/nn/modules/linear.py", line 134, in forward',
                 "cd /home/you/book, or C:\\Users\\you\\book", "https://docs.astral.sh/uv/reference/settings/",
                 "outputs/train.png", "./data/linear.csv"]:
        assert not MACHINE_PATH.search(text), text


def test_the_docs_show_no_machine_paths():
    assert len(markdown_files()) >= 5
    found = [f"{md.relative_to(ROOT)}:{n}: {line.strip()}"
             for md in markdown_files()
             for n, line in enumerate(md.read_text("utf-8").splitlines(), start=1)
             if MACHINE_PATH.search(line)]
    assert not found, "paths of the machine the docs were written on (write /path/to/... instead):\n" + "\n".join(found)


# Flags whose value is a file the command writes.
WRITING_FLAGS = {"--save", "--gif", "--save-model", "--out"}


def written_into_the_repository(folder, command, tracked):
    """The files `command` writes that git tracks, or that lie in a chapter's images/
    (the README's own figures, made again only by the script the README names)."""
    words = shlex.split(command)
    found = []
    for flag, value in zip(words, words[1:]):
        if flag in WRITING_FLAGS:
            path = (folder / value).resolve()
            inside = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else None
            if inside is not None and (inside in tracked or "images" in Path(inside).parts):
                found.append(inside)
    return found


def test_the_tracked_file_check_catches_writes():
    tracked = {"mnist/images/train.gif", "point_classifier_2d/data/linear.csv"}
    chapter = ROOT / "mnist"
    assert written_into_the_repository(chapter, "uv run ./src/train.py --gif images/train.gif",
                                       tracked) == ["mnist/images/train.gif"]
    assert written_into_the_repository(chapter, "uv run ./src/train.py --save images/new.png",
                                       tracked) == ["mnist/images/new.png"]
    assert written_into_the_repository(ROOT / "point_classifier_2d",
                                       "uv run ./src/train.py x.csv simple --save ../point_classifier_2d/data/linear.csv",
                                       tracked) == ["point_classifier_2d/data/linear.csv"]
    assert written_into_the_repository(chapter, "uv run ./src/train.py --gif outputs/train.gif",
                                       tracked) == []


def test_no_readme_command_writes_into_tracked_files():
    listing = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if listing.returncode != 0:
        pytest.skip("not a git checkout: cannot tell which files are tracked")
    tracked = set(listing.stdout.splitlines())
    found = [f"{readme}: {command} -> {path}" for readme, folder, command in COMMANDS
             for path in written_into_the_repository(folder, command, tracked)]
    assert not found, "README commands that write into the repository:\n" + "\n".join(found)


def test_the_top_readme_lists_every_chapter():
    text = (ROOT / "README.md").read_text("utf-8")
    missing = [chapter for chapter in CHAPTERS if f"| [{chapter}]({chapter}/README.md) |" not in text]
    assert not missing, ("README.md's chapter list (章の一覧) has no row for " + ", ".join(missing)
                         + ": add `| [NAME](NAME/README.md) | what it is | its commands |`")


def test_the_top_readme_runs_the_tests_as_test_sh_does():
    # The README shows how to run one chapter's tests; ./test.sh runs every suite the same way.
    shown = [command for readme, _, command in COMMANDS if str(readme) == "README.md" and " pytest" in command]
    assert shown == ["uv run --group dev pytest"], shown
    assert "uv run --group dev pytest" in (ROOT / "test.sh").read_text("utf-8")


def test_the_readmes_have_commands():
    readmes = {str(readme) for readme, _, _ in COMMANDS}
    assert "README.md" in readmes
    assert len(COMMANDS) >= 10


# A code comment's pointer to a section of the chapter's README or NOTES.md:
# "(NOTES.md: 速さ)", "(README: オプション)"; "(NOTES.md)" alone names the file.
POINTER = re.compile(r"\((README(?:\.md)?|NOTES\.md)(?::\s*([^)]+?))?\s*\)")


def headings(markdown):
    """The section titles of a markdown file ("## 速さ" -> "速さ"), outside code blocks."""
    titles, fenced = set(), False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,6} ", line):
            titles.add(line.lstrip("#").strip())
    return titles


def broken_pointers(folder, doc_folder):
    """"file:line: (NOTES.md: X)" for each pointer in the .py files under folder whose file or
    section does not exist in doc_folder."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        if ".venv" in path.parts or "__pycache__" in path.parts:
            continue
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            for name, section in POINTER.findall(line):
                doc = doc_folder / ("README.md" if name.startswith("README") else name)
                title = section.strip().strip("「」\"'")  # (README: 「学習率を変える」) names a heading too
                if not doc.is_file() or (title and title not in headings(doc.read_text("utf-8"))):
                    found.append(f"{path.relative_to(ROOT)}:{number}: ({name}{': ' + section if section else ''})")
    return found


def test_the_pointer_check_catches_a_missing_section(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    (tmp_path / "src").mkdir()
    (tmp_path / "NOTES.md").write_text("# notes\n\n## 速さ\n\n```sh\n# not a heading\n```\n", encoding="utf-8")
    (tmp_path / "src" / "train.py").write_text(
        "exit_now()  # skips clean-up (NOTES.md: 速さ)\n"
        "run()  # see (NOTES.md)\n"
        "exit_now()  # skips clean-up (README: 速さ)\n"
        "x = 1  # (NOTES.md: not a heading)\n"
        "y = 2  # (NOTES.md: 「速さ」)\n", encoding="utf-8")
    assert broken_pointers(tmp_path / "src", tmp_path) == [
        "src/train.py:3: (README: 速さ)", "src/train.py:4: (NOTES.md: not a heading)"]


def test_every_section_a_comment_points_to_exists():
    found = [problem for chapter in CHAPTERS for problem in broken_pointers(ROOT / chapter, ROOT / chapter)]
    found += broken_pointers(ROOT / "booktools" / "booktools", ROOT / "booktools")
    assert not found, "code comments that point to a README or NOTES.md section that is not there:\n" + "\n".join(found)
