"""Load MNIST once into tensors (no PIL image per item, no per-epoch Python loop per image)."""

import socket
from pathlib import Path

from torchvision import datasets

from common import fail, first_line

RAW_FILES = ("train-images-idx3-ubyte, train-labels-idx1-ubyte, "
             "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte")


def load_mnist(data_dir, train):
    """Return (images, labels): float32 N x 1 x 28 x 28 in [0, 1] and int64 labels 0-9.

    torchvision downloads the files into <data_dir>/MNIST/raw/ on the first run, as in
    the book. Any failure (no network, broken files) becomes one error line.
    """
    data_dir = Path(data_dir)
    old_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(15)  # a dead network fails within ~30 s (2 mirrors), never hangs for minutes
    try:
        ds = datasets.MNIST(root=str(data_dir), train=train, download=True)
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
             f"({RAW_FILES}) into {data_dir / 'MNIST' / 'raw'}/ or pass --data-dir")
    finally:
        socket.setdefaulttimeout(old_timeout)
    # Scale once to [0, 1], as transforms.ToTensor() would do image by image.
    return images.unsqueeze(1).float().div_(255), labels.long()
