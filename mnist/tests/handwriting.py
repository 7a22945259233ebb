"""Photos of handwriting that is not MNIST, made the ways a reader's phone or paint program would.

The digits are scikit-learn's `load_digits` (handwriting of about 40 people, scanned by UCI
and shipped inside the scikit-learn package, 8x8 pixels with 17 grey levels). Each one is
blown up and smoothed into strokes, then put on a page: any size, off-centre with wide
margins, dark ink on light paper or chalk on a board, coloured, with a shadow across the
page, JPEG noise, thin or thick strokes, or a transparent background.

`uv run python tests/handwriting.py OUT_DIR` writes the 30 pictures and a figure of them.
"""

import io
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageFilter


def digit_strokes(image8, size, thickness):
    """An 8x8 digit as a smooth stroke image (0 = paper, 1 = ink), size x size pixels."""
    padded = np.pad(image8 / 16, 2)  # a margin, so the strokes do not touch the box
    big = Image.fromarray((padded * 255).astype(np.uint8)).resize((size, size), Image.BICUBIC)
    big = big.filter(ImageFilter.GaussianBlur(size / 40))
    field = np.asarray(big, dtype=np.float32) / 255
    field /= max(field.max(), 1e-6)  # (an empty 8x8 gives an empty page)
    # The stroke's edge is where the smooth field crosses a level: a high level gives thin
    # strokes, a low one thick strokes. A soft ramp keeps the edges anti-aliased.
    level = {"thin": 0.68, "normal": 0.5, "thick": 0.3}[thickness]
    return np.clip((field - level) / 0.04 + 0.5, 0, 1)


def make_photo(image8, rng, style):
    """One page with the digit on it, as a PIL image (RGB, L or RGBA)."""
    width = int(rng.integers(80, 900))
    height = int(width * rng.uniform(0.6, 1.6))
    side = int(min(width, height) * rng.uniform(0.3, 0.8))  # the digit's box; the rest is margin
    ink = np.zeros((height, width), dtype=np.float32)
    top, left = int(rng.integers(0, height - side + 1)), int(rng.integers(0, width - side + 1))
    ink[top:top + side, left:left + side] = digit_strokes(image8, side, style["thickness"])

    if style["transparent"]:  # a paint program: black ink, the page itself transparent
        rgba = np.zeros((height, width, 4), dtype=np.uint8)
        rgba[..., 3] = (ink * 255).astype(np.uint8)
        return Image.fromarray(rgba, "RGBA")

    paper = np.array(style["paper"], dtype=np.float32)
    pen = np.array(style["pen"], dtype=np.float32)
    page = paper + ink[..., None] * (pen - paper)
    if style["shadow"]:  # light falls off across the page in a random direction
        angle = rng.uniform(0, 2 * np.pi)
        ys, xs = np.mgrid[0:height, 0:width]
        along = (np.cos(angle) * xs / width + np.sin(angle) * ys / height)
        along = (along - along.min()) / (np.ptp(along) + 1e-6)
        page = page * (1 - style["shadow"] * along)[..., None]
    page = page + rng.normal(0, 6, page.shape)  # sensor noise
    img = Image.fromarray(np.clip(page, 0, 255).astype(np.uint8), "RGB")
    if style["jpeg"]:
        buffer = io.BytesIO()
        img.save(buffer, "JPEG", quality=style["jpeg"])
        img = Image.open(io.BytesIO(buffer.getvalue()))
        img.load()
    return img.convert("L") if style["grey"] else img


PLAIN = dict(paper=(255, 255, 255), pen=(0, 0, 0), thickness="normal", shadow=0.0, jpeg=0, grey=True,
             transparent=False)  # black on white: the easy case
STYLES = [  # cycled over the 30 images, so each kind of trouble appears several times
    dict(paper=(245, 245, 240), pen=(20, 20, 30), thickness="normal", shadow=0.0, jpeg=0, grey=True, transparent=False),
    dict(paper=(235, 230, 200), pen=(20, 40, 160), thickness="thin", shadow=0.45, jpeg=40, grey=False, transparent=False),
    dict(paper=(30, 60, 40), pen=(235, 235, 225), thickness="thick", shadow=0.3, jpeg=60, grey=False, transparent=False),
    dict(paper=(250, 250, 250), pen=(0, 0, 0), thickness="normal", shadow=0.0, jpeg=0, grey=False, transparent=True),
    dict(paper=(220, 215, 210), pen=(170, 20, 20), thickness="thick", shadow=0.5, jpeg=30, grey=False, transparent=False),
    dict(paper=(240, 240, 240), pen=(60, 60, 60), thickness="thin", shadow=0.2, jpeg=70, grey=True, transparent=False),
]


def handwriting_set(count=30, seed=0):
    """`count` (image, label) pairs, 3 of each digit for 30, each with its own page style."""
    from sklearn.datasets import load_digits  # a dev dependency: only the tests need it

    digits = load_digits()
    rng = np.random.default_rng(seed)
    pairs = []
    for i in range(count):
        label = i % 10
        choice = rng.choice(np.flatnonzero(digits.target == label))
        pairs.append((make_photo(digits.images[choice], rng, STYLES[i % len(STYLES)]), label))
    return pairs


def write_set(folder, count=30, seed=0):
    """Save the set as files a reader could have made; returns [(path, label)]."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for i, (img, label) in enumerate(handwriting_set(count, seed)):
        ext = "png" if img.mode == "RGBA" or i % 2 == 0 else "jpg"
        path = folder / f"{i:02d}_digit{label}.{ext}"
        img.save(path, quality=90) if ext == "jpg" else img.save(path)
        saved.append((path, label))
    return saved


def count_correct(model_file, pictures):
    """How many pictures a saved model reads right, through predict.py's own pipeline."""
    import predict

    model = predict.load_model(Path(model_file), torch.device("cpu"))
    digits = torch.cat([predict.prepare_image(path)[1] for path, _ in pictures])
    with torch.no_grad():
        guesses = model(digits).argmax(dim=1)
    return int((guesses == torch.tensor([label for _, label in pictures])).sum())


def show_set(folder):
    """Write the 30 pictures into `folder`, and one figure: each picture above what the model sees."""
    import matplotlib.pyplot as plt

    import predict  # (src/ is put on the path below)
    from common import show_or_save

    pictures = write_set(folder)
    fig, axes = plt.subplots(6, 10, figsize=(12, 8.6), layout="constrained")
    for i, (path, label) in enumerate(pictures):
        top, bottom = axes[2 * (i // 10), i % 10], axes[2 * (i // 10) + 1, i % 10]
        with Image.open(path) as img:
            shown = img.convert("RGBA")
        checker = Image.new("RGBA", shown.size, (200, 170, 200, 255))  # where the picture is transparent
        top.imshow(Image.alpha_composite(checker, shown))
        top.set_title(f"{path.suffix[1:]}, label {label}", fontsize=8)
        bottom.imshow(predict.prepare_image(path)[1][0, 0].numpy(), cmap="gray", vmin=0, vmax=1)
        for ax in (top, bottom):
            ax.set_xticks([])
            ax.set_yticks([])
    fig.suptitle("Handwriting that is not MNIST (scikit-learn's digits) on messy pages; "
                 "below each: what predict.py gives the model (28x28)")
    show_or_save(fig, Path(folder) / "handwriting.png", True, "handwriting.png")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    if len(sys.argv) != 2:
        sys.exit("usage: uv run python tests/handwriting.py OUT_DIR")
    show_set(sys.argv[1])
