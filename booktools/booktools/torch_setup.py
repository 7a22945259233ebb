"""torch's set-up for a training run, one step per function: the same random start every run
(--seed), where to compute (--device), one CPU thread, tiny floats as 0, and the fused Adam.

torch is imported inside the functions: `--help` answers without it.
"""
import random

import numpy as np


def seed_everything(seed):
    """The same start every run (--seed): Python's, numpy's and torch's random numbers."""
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def pick_device(name="cpu"):
    """--device as a torch.device; auto picks cuda, then mps, then cpu. Only picks: the
    threads are one_cpu_thread's."""
    import torch

    from booktools.cli import fail

    has_mps = hasattr(torch.backends, "mps") and torch.backends.mps.is_available()
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "mps" if has_mps else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        fail("--device cuda: no CUDA GPU is available here (try --device auto)")
    if name == "mps" and not has_mps:
        fail("--device mps: Apple's MPS is not available here (try --device auto)")
    return torch.device(name)


def one_cpu_thread(device="cpu"):
    """Compute with one CPU thread when the device is the CPU (a GPU is left alone): the
    book's models are small, and a second thread was 2-30x slower whenever another program
    used the CPU (measured)."""
    import torch

    if torch.device(device).type == "cpu":
        torch.set_num_threads(1)


def flush_denormals():
    """Treat tiny "denormal" floats as 0: the CPU computes them very slowly. numpy 1.x (an
    Intel Mac's, with torch 2.2) works out its float limits on first use and warns on stderr
    when denormals are flushed by then: it does so first."""
    import torch

    for kind in (np.float16, np.float32, np.float64, np.longdouble):
        np.finfo(kind)
    torch.set_flush_denormal(True)


def fused_adam():
    """`fused=` for Adam: True (one call updates every parameter; faster) where torch has a
    fused Adam for the CPU (2.4 and later), else None (torch's usual Adam). An Intel Mac's
    newest torch is 2.2.2, which has the fused kernel only for CUDA."""
    import torch

    try:
        torch.optim.Adam([torch.zeros(1, requires_grad=True)], fused=True)
    except RuntimeError:  # torch < 2.4: "`fused=True` requires all the params to be ... CUDA"
        return None
    return True
