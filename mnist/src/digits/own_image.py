"""Any picture of one handwritten digit (a phone photo, a paint program's PNG) turned into
MNIST's format, for predict.py --image. Not in the slides: their test_image is already MNIST."""

import warnings
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps

from booktools.cli import fail, first_line

MAX_PIXELS = 50_000_000  # a 50-megapixel photo; beyond that the file is a mistake (or a "decompression bomb")
WORK_SIZE = 1000  # pictures are shrunk to at most 1000 pixels on their longer side first


def prepare_image(path):
    """The picture in the file (greyscale array) and the 1x28x28 tensor the model sees."""
    original = read_grey(path)
    return original, prepare_grey(original, path)


def prepare_grey(original, path):
    """Turn any picture of one digit (greyscale, 0-255) into MNIST's format: 28x28, light digit on black, in [0, 1].

    Photos differ from MNIST in many ways, so step by step: make the ink light and the
    paper dark, remove the paper (with its shadows and noise), crop to the ink, fit it into
    20x20 keeping the aspect ratio, and place it in a 28x28 field so that its centre of
    mass sits in the middle, as MNIST itself was made.
    """
    pixels = original / 255.0
    # Most of a picture is paper (its median), the ink is at one extreme: when the ink is
    # the darker extreme (or both are as far), it is dark ink on light paper -> invert.
    low, paper, high = np.percentile(pixels, [0.1, 50, 99.9])
    if paper - low >= high - paper:
        pixels = 1.0 - pixels
    pixels = np.clip(pixels - paper_level(pixels), 0.0, None)
    if pixels.max() < 0.1:
        fail(f"no digit found in {path}: the image looks empty (one dark or light digit on a plain background works best)")
    pixels /= pixels.max()
    crop = crop_to_ink(pixels)

    scale = 20.0 / max(crop.shape)
    height, width = max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale))
    small = Image.fromarray((crop * 255).astype(np.uint8)).resize((width, height), Image.LANCZOS)
    small = np.asarray(small, dtype=np.float32)
    small /= max(small.max(), 1.0)  # thin strokes get faint when shrunk: full brightness again
    total = small.sum()
    cy = (small.sum(axis=1) * np.arange(height)).sum() / total
    cx = (small.sum(axis=0) * np.arange(width)).sum() / total
    # Centre of mass to the middle, but keep a 2-pixel dark margin like most MNIST digits.
    top = int(np.clip(round(14 - cy), 2, 26 - height))
    left = int(np.clip(round(14 - cx), 2, 26 - width))
    digit = np.zeros((28, 28), dtype=np.float32)
    digit[top:top + height, left:left + width] = small
    return torch.from_numpy(digit).view(1, 28, 28)  # one image: 1 channel x 28 x 28


def read_grey(path):
    """The picture as a greyscale array (0-255), at most WORK_SIZE pixels on its longer side."""
    path = Path(path)
    if path.is_dir():
        fail(f"cannot read image {path}: it is a folder, not an image file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)  # an error, not a warning
            with Image.open(path) as img:
                if img.width * img.height > MAX_PIXELS:  # checked before the pixels are decoded
                    fail(f"image {path} is too large ({img.width}x{img.height} pixels); "
                         f"use one of at most {MAX_PIXELS // 1_000_000} million pixels")
                img.thumbnail((WORK_SIZE, WORK_SIZE))  # a phone photo has far more pixels than we need
                img = ImageOps.exif_transpose(img)  # phones store "turn me upright" beside the pixels
                if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
                    img = on_plain_background(img.convert("RGBA"))
                grey = img.convert("L")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        fail(f"image {path} is too large (a decompression bomb?); use one of at most "
             f"{MAX_PIXELS // 1_000_000} million pixels")
    except (OSError, ValueError) as exc:
        fail(f"cannot read image {path} ({first_line(exc)})")
    return np.asarray(grey, dtype=np.float32)


def on_plain_background(img):
    """A transparent page becomes plain paper, dark under light ink and light under dark ink."""
    rgba = np.asarray(img, dtype=np.float32)
    opaque = rgba[..., 3] > 128
    ink_is_light = opaque.any() and rgba[opaque, :3].mean() > 128
    background = Image.new("RGBA", img.size, "black" if ink_is_light else "white")
    return Image.alpha_composite(background, img)


def paper_level(pixels):
    """How bright the paper is at each pixel (after inversion the paper is the dark part).

    A shadow or a lamp makes the paper darker on one side than on the other, so the level
    is measured locally: shrink the picture to 32 pixels, take the darkest value around
    each spot (the ink is thinner than the window, so it drops out), smooth, and blow it up
    again. A small margin above that removes sensor and JPEG noise too.
    """
    image = torch.from_numpy(pixels)[None, None]
    height, width = pixels.shape
    scale = 32 / max(height, width)
    small = torch.nn.functional.interpolate(image, size=(max(1, round(height * scale)), max(1, round(width * scale))),
                                            mode="area")
    paper = -torch.nn.functional.max_pool2d(-small, 7, stride=1, padding=3)  # darkest value around
    paper = torch.nn.functional.avg_pool2d(paper, 7, stride=1, padding=3, count_include_pad=False)
    paper = torch.nn.functional.interpolate(paper, size=(height, width), mode="bilinear", align_corners=False)[0, 0]
    rest = pixels - paper.numpy()
    noise = np.median(np.abs(rest - np.median(rest)))
    return paper.numpy() + np.median(rest) + 6 * noise


def crop_to_ink(pixels):
    """Cut the picture down to the digit: the rows and columns holding all but a few specks of ink."""
    ink = np.where(pixels > 0.25, pixels, 0.0)
    bounds = []
    for profile in (ink.sum(axis=1), ink.sum(axis=0)):
        cumulative = np.cumsum(profile) / profile.sum()
        bounds.append((np.searchsorted(cumulative, 0.002), np.searchsorted(cumulative, 0.998) + 1))
    (top, bottom), (left, right) = bounds
    return pixels[top:bottom, left:right]
