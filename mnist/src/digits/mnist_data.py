"""Load MNIST once into tensors (no PIL image per item, no per-epoch Python loop per image)."""

import difflib
import math
import socket
from pathlib import Path

import torch

from booktools.cli import fail, first_line

FILE_NAMES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
RAW_FILES = ", ".join(FILE_NAMES)
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"  # the chapter's data/: MNIST is downloaded only here


def find_root(data_dir):
    """The folder torchvision wants (the one holding MNIST/raw/ with the four files): data_dir
    itself, or its grandparent or parent when the reader passed the raw or the MNIST folder."""
    candidates = [data_dir]
    if data_dir.name == "raw" and data_dir.parent.name == "MNIST":
        candidates.append(data_dir.parent.parent)
    if data_dir.name == "MNIST":
        candidates.append(data_dir.parent)
    for root in candidates:
        if all((root / "MNIST" / "raw" / name).is_file() for name in FILE_NAMES):
            return root
    return None


def what_is_there(data_dir):
    """What a --data-dir without the four files holds: no such folder (and a folder of a close
    name), or the MNIST files found in it and below it (.gz ones not yet unpacked, say)."""
    folder = data_dir.absolute()
    if not folder.is_dir():
        siblings = [entry.name for entry in folder.parent.iterdir() if entry.is_dir()] if folder.parent.is_dir() else []
        close = difflib.get_close_matches(folder.name, siblings, n=1, cutoff=0.6)
        return "no such folder" + (f"; did you mean {folder.parent / close[0]}?" if close else "")
    found = sorted({entry.name for place in (folder, folder / "MNIST", folder / "MNIST" / "raw", folder / "raw")
                    if place.is_dir() for entry in place.iterdir()
                    if entry.is_file() and entry.name.startswith(tuple(name[:10] for name in FILE_NAMES))})
    return f"found there: {', '.join(found)}" if found else "none of them there or below"


def load_mnist(data_dir, train, digits=None):
    """Return (images, labels): float32 N x 1 x 28 x 28 in [0, 1] and int64 labels 0-9
    (only the images of `digits` when given: picked before the conversion to floats).

    torchvision downloads the files into the chapter's data/MNIST/raw/ on the first run, as
    in the book. A folder the reader names (--data-dir) is only read, never written to: no
    download, no folders made in it. Any failure (no network, broken files) is one error line.
    """
    from torchvision import datasets  # here, not at the top: --help answers without loading it (about 1 s)

    data_dir = Path(data_dir)
    root = find_root(data_dir)
    if root is None and data_dir.resolve() != DEFAULT_DATA_DIR.resolve():
        # torchvision would make <data_dir>/MNIST/raw/ and try to download into it: stop first.
        fail(f"could not load MNIST from {data_dir}: the four IDX files ({RAW_FILES}) are not in "
             f"{data_dir.absolute() / 'MNIST' / 'raw'}/ ({what_is_there(data_dir)}); put them there or pass "
             f"the folder that holds them as --data-dir (without --data-dir, MNIST is downloaded into "
             f"{DEFAULT_DATA_DIR}{'; it holds all four already' if find_root(DEFAULT_DATA_DIR) else ''})")
    old_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(15)  # a dead network fails within ~30 s (2 mirrors), never hangs for minutes
    try:
        ds = datasets.MNIST(root=str(root or data_dir), train=train, download=root is None)
        images, labels = ds.data, ds.targets
        if images.dim() != 3 or images.shape[1:] != (28, 28) or len(labels) != len(images):
            raise ValueError(f"unexpected shapes {tuple(images.shape)} / {tuple(labels.shape)}")
        if len(labels) == 0 or labels.min() < 0 or labels.max() > 9:
            raise ValueError("labels are not digits 0-9")
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # torchvision raises RuntimeError, AssertionError, ValueError ...
        reason = first_line(exc)
        if reason.startswith("Error downloading"):
            reason = "download failed: no internet connection?"
        fail(f"could not load MNIST from {data_dir} ({reason}); put the four IDX files "
             f"({RAW_FILES}) into {(root or data_dir) / 'MNIST' / 'raw'}/ or pass --data-dir")
    finally:
        socket.setdefaulttimeout(old_timeout)
    if digits is not None:
        keep = torch.isin(labels, torch.tensor(digits))
        images, labels = images[keep], labels[keep]
    # Scale once to [0, 1], as transforms.ToTensor() would do image by image.
    return images.unsqueeze(1).float().div_(255), labels.long()


# 3x3 filters for the strokes: unchanged, thicker (each pixel takes in half of its four
# neighbours' ink), blurred (a small Gaussian-like average).
STROKE_FILTERS = torch.tensor([
    [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    [[0, 0.5, 0], [0.5, 1, 0.5], [0, 0.5, 0]],
    [[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16], [1 / 16, 2 / 16, 1 / 16]],
])


def augment(images, max_angle=15, max_shift=0.08, zoom=(0.85, 1.15), p_thick=0.3, p_blur=0.3):
    """A randomly changed copy of a batch (N x 1 x 28 x 28): the book's "more data" for free.

    Each image gets its own small rotation (degrees), shift (fraction of the width) and
    zoom; some get thicker strokes, some blurred ones. It is all done on the whole batch
    at once with tensor operations (no loop over images), so it stays cheap.
    """
    n, device = len(images), images.device
    # Strokes: pick a filter per image (unchanged / thicker / blurred) and apply all of them
    # in one convolution (groups=n: image i is filtered with filter i).
    kind = torch.bucketize(torch.rand(n, device=device),
                           torch.tensor([1 - p_thick - p_blur, 1 - p_blur], device=device))
    filters = STROKE_FILTERS.to(device)[kind].unsqueeze(1)
    images = torch.nn.functional.conv2d(images.view(1, n, 28, 28), filters, padding=1, groups=n)
    images = images.view(n, 1, 28, 28).clamp(max=1)

    # Rotation, zoom and shift as one 2x3 matrix per image; grid_sample then moves the pixels.
    # (affine_grid counts from -1 to 1 across the image, so a shift of 0.15 widths is 0.3 there.)
    angle = (torch.rand(n, device=device) * 2 - 1) * math.radians(max_angle)
    scale = zoom[0] + (zoom[1] - zoom[0]) * torch.rand(n, device=device)
    shift = (torch.rand(n, 2, device=device) * 2 - 1) * 2 * max_shift
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], dim=1),
                         torch.stack([sin, cos, shift[:, 1]], dim=1)], dim=1)
    grid = torch.nn.functional.affine_grid(theta, [n, 1, 28, 28], align_corners=False)
    return torch.nn.functional.grid_sample(images, grid, align_corners=False)


def pen_widths(images):
    """Strokes of other pens than MNIST's (train_cnn.py): a third of the batch thinner (the faint
    edge cut off), a third thicker (each pixel takes in half of the brightest ink around it)."""
    kind = torch.randint(0, 3, (len(images), 1, 1, 1), device=images.device)
    thin = ((images - 0.45) * 2.5).clamp(0, 1)
    thick = 0.5 * (images + torch.nn.functional.max_pool2d(images, 3, stride=1, padding=1))
    return torch.where(kind == 0, images, torch.where(kind == 1, thin, thick))


class Augmented:
    """A DataLoader whose batches come out changed by augment() (or another change): new variants every epoch."""

    def __init__(self, loader, change=augment):
        self.loader, self.change = loader, change
        self.dataset = loader.dataset

    def __iter__(self):
        return ((self.change(data), target) for data, target in self.loader)

    def __len__(self):
        return len(self.loader)
