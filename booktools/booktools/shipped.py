"""The chapter's src/ as it ships, kept as its files' hashes in the chapter's src.sha256: a
figure's header says "default settings" only while the flags are the defaults and src/ still
matches, and otherwise names what the reader changed.

    cd CHAPTER && uv run python -m booktools.shipped .    writes src.sha256 anew (after changing src/)

booktools' tests (test_shipped.py) check that every chapter's src.sha256 matches its src/.
"""
import hashlib
import sys
from pathlib import Path

MANIFEST = "src.sha256"


def fingerprint(code):
    """{file: sha256} of code ({file: text}); line ends do not count (a Windows checkout has \\r\\n)."""
    return {name: hashlib.sha256(text.replace("\r\n", "\n").encode("utf-8")).hexdigest()
            for name, text in code.items()}


def read_manifest(chapter_dir):
    """{file: sha256} as src.sha256 lists them, or None without the file."""
    try:
        lines = (Path(chapter_dir) / MANIFEST).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return {name: digest for digest, _, name in (line.partition("  ") for line in lines) if name}


def edited_files(code, chapter_dir):
    """The files of code ({file: text}) that differ from how they ship (added, removed or
    changed), [] when none does, None when the chapter has no src.sha256."""
    shipped = read_manifest(chapter_dir)
    if shipped is None:
        return None
    now = fingerprint(code)
    return sorted(name for name in set(shipped) | set(now) if shipped.get(name) != now.get(name))


def write_manifest(chapter_dir):
    from booktools.records import read_code

    digests = fingerprint(read_code(Path(chapter_dir) / "src"))
    text = "".join(f"{digest}  {name}\n" for name, digest in sorted(digests.items()))
    (Path(chapter_dir) / MANIFEST).write_text(text, encoding="utf-8", newline="\n")
    return len(digests)


if __name__ == "__main__":
    for folder in sys.argv[1:] or ["."]:
        print(f"{Path(folder).resolve() / MANIFEST}: {write_manifest(folder)} files")
