"""check_setup.py of every chapter: what this machine has, one line each, and what to do
about anything that would stop the chapter or surprise the reader.

    uv run ./src/check_setup.py

Exit status 0 when the chapter can run here, 1 when something blocks it. It never
downloads anything and never raises: what it cannot find out, it says it could not.
"""
import importlib
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

OK, NOTE, PROBLEM = "ok", "note", "PROBLEM"
UV_AT_LEAST = (0, 8, 7)  # older uv builds of Python have a broken Tk (the top README says more)


class Report:
    def __init__(self):
        self.blocked = False

    def line(self, mark, label, text, fix=None, blocks=False):
        print(f"{mark:7} {label + ':':12} {text}", flush=True)
        if fix:
            print(f"{'':20} -> {fix}", flush=True)
        self.blocked = self.blocked or blocks


def main(script, argv=None, chapter_checks=()):
    """script: the chapter's check_setup.py (__file__); chapter_checks: functions
    check(report, chapter_dir) for what only this chapter needs (mnist: its data files)."""
    from booktools.cli import Parser

    parser = Parser(script, description="Check that this machine can run the chapter: one line each for "
                                        "the OS, Python, uv, torch, numpy, matplotlib, figure windows, the "
                                        "console and the chapter folder. Exit 0: it can run; 1: something blocks it.")
    args = parser.parse_args(argv)
    report = Report()
    checks = [check_os, check_python, check_uv, check_torch, check_package("numpy"),
              check_package("matplotlib"), check_window, check_console, check_folder, *chapter_checks]
    for check in checks:
        try:
            check(report, args.chapter_dir)
        except Exception as error:  # a check that fails says so, and the others still run
            report.line(NOTE, check.__name__.removeprefix("check_"),
                        f"could not find out ({type(error).__name__}: {error})")
    print()
    if report.blocked:
        print("Something above blocks this chapter: do what the line marked PROBLEM says, then run this again.")
        return 1
    print("This chapter can run here.")
    return 0


def check_os(report, chapter_dir):
    system, machine = platform.system(), platform.machine()
    name = {"Darwin": f"macOS {platform.mac_ver()[0]}", "Windows": f"Windows {platform.release()}"}.get(
        system, f"{system} {platform.release()}")
    if system == "Linux" and "microsoft" in platform.release().lower():
        name += " (WSL)"
    report.line(OK, "OS", f"{name}, {machine}, CPU {cpu_name()} ({os.cpu_count()} cores)")
    if system == "Darwin" and machine == "x86_64":
        report.line(NOTE, "Intel Mac", "torch 2.2.2 is the newest PyTorch for Intel Macs: the chapters run on it, "
                                       "and the last digits of losses can differ from the README's")


def cpu_name():
    try:
        if platform.system() == "Linux":
            for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
        if platform.system() == "Darwin":
            return subprocess.run(["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True,
                                  text=True, timeout=5).stdout.strip() or platform.processor()
    except (OSError, subprocess.SubprocessError):
        pass
    return platform.processor() or "unknown"


def check_python(report, chapter_dir):
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info < (3, 11):
        report.line(PROBLEM, "Python", f"{version} ({sys.executable}): the chapters need 3.11 or newer",
                    fix="run the scripts with uv (uv run ./src/...): it picks Python 3.11 from .python-version",
                    blocks=True)
    else:
        report.line(OK, "Python", f"{version} ({sys.executable})")


def check_uv(report, chapter_dir):
    uv = os.environ.get("UV") or shutil.which("uv")
    if not uv:
        report.line(NOTE, "uv", "not found (this was not started by uv run)",
                    fix="install uv (pip install uv) and start the scripts with uv run")
        return
    try:
        text = subprocess.run([uv, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
        version = tuple(int(part) for part in text.split()[1].split(".")[:3])
    except (OSError, subprocess.SubprocessError, IndexError, ValueError):
        report.line(NOTE, "uv", f"{uv}: could not read its version")
        return
    if version < UV_AT_LEAST:
        report.line(PROBLEM, "uv", f"{'.'.join(map(str, version))}: older than 0.8.7, its Python has a broken Tk (no figure windows)",
                    fix="update uv (uv self update, or pip install -U uv), then uv python uninstall 3.11 "
                        "and delete this chapter's .venv folder", blocks=True)
    else:
        report.line(OK, "uv", ".".join(map(str, version)))


def check_torch(report, chapter_dir):
    try:
        import torch
    except Exception as error:
        report.line(PROBLEM, "torch", f"cannot be imported ({type(error).__name__}: {error})",
                    fix="run the scripts with uv run, which installs it; if that fails, delete .venv and try again",
                    blocks=True)
        return
    can = [f"CPU ({torch.get_num_threads()} threads"
           + (f", {torch.backends.cpu.get_cpu_capability()}" if hasattr(torch.backends, "cpu") else "") + ")"]
    if torch.cuda.is_available():
        can.append(f"CUDA GPU {torch.cuda.get_device_name(0)}")
    if hasattr(torch.backends, "mps") and torch.backends.mps.is_available():
        can.append("Apple MPS")
    report.line(OK, "torch", f"{torch.__version__}: can use {', '.join(can)}")


def check_package(name):
    """A check that the package `name` imports, saying its version."""
    def check(report, chapter_dir):
        try:
            module = importlib.import_module(name)
        except Exception as error:
            report.line(PROBLEM, name, f"cannot be imported ({type(error).__name__}: {error})",
                        fix="delete this chapter's .venv folder and run uv run again", blocks=True)
            return
        report.line(OK, name, module.__version__)
    check.__name__ = f"check_{name}"
    return check


def check_window(report, chapter_dir):
    """Whether a figure window can open; where figures go when not. Not a block: figures are saved."""
    try:
        import tkinter  # noqa: F401  (matplotlib's usual window toolkit)
        tk = True
    except Exception:
        tk = False
    display = platform.system() != "Linux" or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    try:
        import matplotlib.pyplot as plt

        backend = plt.get_backend()
    except Exception as error:
        report.line(NOTE, "window", f"matplotlib could not pick a backend ({type(error).__name__})")
        return
    from booktools.figures import NON_INTERACTIVE

    saved = f"figures are saved in {chapter_dir / 'outputs'} instead (open the PNG)"
    if backend.lower() not in NON_INTERACTIVE:
        report.line(OK, "window", f"figures open in a window (backend {backend})")
    elif os.environ.get("MPLBACKEND", "").lower() in NON_INTERACTIVE:
        report.line(NOTE, "window", f"no window: MPLBACKEND={os.environ['MPLBACKEND']} asks for none; {saved}",
                    fix="for windows, run without MPLBACKEND (unset MPLBACKEND)")
    elif not display:
        report.line(NOTE, "window", f"no window: no display here (DISPLAY is not set: SSH, CI or WSL "
                                    f"without WSLg); {saved}",
                    fix="on WSL use Windows 11's WSLg; over SSH open the PNG files")
    elif not tk:
        report.line(NOTE, "window", f"no window: this Python has no tkinter; {saved}",
                    fix="Ubuntu / Debian / WSL: sudo apt install python3-tk; an old uv: update it (see uv above)")
    else:
        report.line(NOTE, "window", f"no window (backend {backend}); {saved}")


def check_console(report, chapter_dir):
    encoding = (getattr(sys.stdout, "encoding", None) or "unknown").lower()
    if encoding.replace("-", "") in ("cp932", "shiftjis", "sjis", "mbcs"):
        report.line(OK, "console", f"{encoding} (Japanese Windows): every script prints only text it can show")
    elif encoding.replace("-", "") == "utf8":
        report.line(OK, "console", "utf-8")
    else:
        report.line(NOTE, "console", f"{encoding}: the scripts print plain English text and numbers",
                    fix="if a line fails with UnicodeEncodeError, set PYTHONUTF8=1")


def check_folder(report, chapter_dir):
    writable = os.access(chapter_dir, os.W_OK)
    unusual = "" if str(chapter_dir).isascii() and " " not in str(chapter_dir) else \
        " (Japanese characters and spaces in the path are fine)"
    if writable:
        report.line(OK, "folder", f"{chapter_dir}{unusual}")
    else:
        report.line(PROBLEM, "folder", f"{chapter_dir}: cannot write here (outputs/ and runs/ go here)",
                    fix="copy the repository into a folder of your own (for example under your home folder)",
                    blocks=True)
