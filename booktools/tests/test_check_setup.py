"""check_setup.py: one line each, a fix for each problem, exit 0 / 1, never a traceback."""
import os
import subprocess
import sys

from booktools import check_setup

LABELS = ["OS", "Python", "uv", "torch", "numpy", "matplotlib", "window", "console", "folder"]


def run_check(tmp_path, env_changes, *args, encoding="utf-8"):
    """check_setup.main as `uv run ./src/check_setup.py` runs it, in a chapter folder of tmp_path."""
    script = tmp_path / "chapter" / "src" / "check_setup.py"
    script.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **env_changes}
    for name in [name for name, value in env_changes.items() if value is None]:
        del env[name]
    code = "import sys, booktools.check_setup as c; sys.exit(c.main(sys.argv[1], sys.argv[2:]))"
    return subprocess.run([sys.executable, "-c", code, str(script), *args], env=env, capture_output=True,
                          encoding=encoding, timeout=120)


def labels(out):
    return [line.split()[1].rstrip(":") for line in out.splitlines() if line[:1] not in ("", " ")
            and line.split()[0] in ("ok", "note", "PROBLEM")]


def test_one_line_each_and_exit_0_here(tmp_path):
    result = run_check(tmp_path, {"MPLBACKEND": "Agg"})
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert labels(result.stdout) == LABELS
    assert result.stdout.rstrip().endswith("This chapter can run here.")
    import numpy
    assert f"ok      numpy:       {numpy.__version__}\n" in result.stdout
    folder = tmp_path / "chapter"
    assert f"folder:      {folder}" in result.stdout


def test_no_window_says_where_figures_go_and_how_to_get_one(tmp_path):
    out = run_check(tmp_path, {"MPLBACKEND": "Agg"}).stdout
    window = next(line for line in out.splitlines() if "window:" in line)
    assert window.startswith("note") and "MPLBACKEND=Agg" in window
    assert str(tmp_path / "chapter" / "outputs") in window
    assert "-> for windows, run without MPLBACKEND" in out

    out = run_check(tmp_path, {"MPLBACKEND": None, "DISPLAY": None, "WAYLAND_DISPLAY": None}).stdout
    window = next(line for line in out.splitlines() if "window:" in line)
    assert window.startswith("note") and "no display here" in window, out


def test_a_window_where_a_display_is(tmp_path, x_display):
    out = run_check(tmp_path, {"MPLBACKEND": None, "DISPLAY": x_display}).stdout
    window = next(line for line in out.splitlines() if "window:" in line)
    assert window.startswith("ok") and "figures open in a window" in window, out


def test_a_japanese_console_and_folder(tmp_path):
    folder = tmp_path / "読者 の フォルダ"
    folder.mkdir()
    result = run_check(folder, {"MPLBACKEND": "Agg", "PYTHONIOENCODING": "cp932"}, encoding="cp932")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "ok      console:     cp932 (Japanese Windows)" in out
    assert "(Japanese characters and spaces in the path are fine)" in out
    assert str(folder / "chapter") in out


def test_a_problem_blocks_with_a_fix_and_exit_1(tmp_path, capsys):
    def broken_data(report, chapter_dir):
        report.line(check_setup.PROBLEM, "data", "the data files are missing", fix="put them in data/",
                    blocks=True)

    def check_tell(report, chapter_dir):
        raise RuntimeError("no idea")

    script = tmp_path / "chapter" / "src" / "check_setup.py"
    code = check_setup.main(script, [], chapter_checks=[check_tell, broken_data])
    out = capsys.readouterr().out
    assert code == 1
    assert "note    tell:        could not find out (RuntimeError: no idea)" in out
    assert "PROBLEM data:        the data files are missing\n" in out
    assert "-> put them in data/" in out
    assert out.rstrip().endswith("do what the line marked PROBLEM says, then run this again.")


def test_a_folder_that_cannot_be_written(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(check_setup.os, "access", lambda path, mode: False)
    assert check_setup.main(tmp_path / "chapter" / "src" / "check_setup.py", []) == 1
    out = capsys.readouterr().out
    assert "PROBLEM folder:" in out and "cannot write here" in out


def test_an_old_uv_is_a_problem(tmp_path, monkeypatch, capsys):
    fake = tmp_path / "uv"
    fake.write_text("#!/bin/sh\necho 'uv 0.8.6 (x86_64-unknown-linux-gnu)'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("UV", str(fake))
    report = check_setup.Report()
    check_setup.check_uv(report, tmp_path)
    out = capsys.readouterr().out
    assert report.blocked and out.startswith("PROBLEM uv:          0.8.6: older than 0.8.7")
    assert "uv python uninstall 3.11" in out


def test_help_and_bad_flags(tmp_path):
    result = run_check(tmp_path, {"MPLBACKEND": "Agg"}, "--help")
    assert result.returncode == 0 and "Exit 0: it can run" in result.stdout
    result = run_check(tmp_path, {"MPLBACKEND": "Agg"}, "--nope")
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
