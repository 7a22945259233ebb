"""Photos of handwriting that is not MNIST's training set, made the ways a reader's phone or
paint program would. Two sources:

- "digits": scikit-learn's `load_digits` (handwriting of about 40 other people, scanned by UCI
  and shipped inside the scikit-learn package, 8x8 pixels with 17 grey levels);
- "photos": MNIST *test* digits (never trained on) printed and photographed again.

Each digit is blown up and smoothed into strokes, then put on a page: any size, off-centre
with wide margins, dark ink on light paper or chalk on a board, coloured, with a shadow
across the page, paper texture, blur, JPEG noise, thin strokes or thick marker strokes, or a
transparent background.

`uv run python tests/handwriting.py OUT_DIR` writes 30 pictures of each source and a figure of them.
"""

import io
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageFilter


def digit_strokes(image, size, thickness):
    """A small digit image (8x8 from scikit-learn, 28x28 from MNIST) as a smooth stroke image
    (0 = paper, 1 = ink), size x size pixels."""
    small = np.asarray(image, dtype=np.float32)
    padded = np.pad(small / max(small.max(), 1e-6), 2 if len(small) == 8 else 0)  # a margin (MNIST has one)
    big = Image.fromarray((padded * 255).astype(np.uint8)).resize((size, size), Image.BICUBIC)
    big = big.filter(ImageFilter.GaussianBlur(size / 40))
    field = np.asarray(big, dtype=np.float32) / 255
    field /= max(field.max(), 1e-6)  # (an empty 8x8 gives an empty page)
    # The stroke's edge is where the smooth field crosses a level: a high level gives thin
    # strokes, a low one thick strokes. A soft ramp keeps the edges anti-aliased.
    level = {"thin": 0.68, "normal": 0.5, "thick": 0.3, "marker": 0.12}[thickness]
    return np.clip((field - level) / 0.04 + 0.5, 0, 1)


def make_photo(image, rng, style):
    """One page with the digit on it, as a PIL image (RGB, L or RGBA)."""
    width = int(rng.integers(80, 900))
    height = int(width * rng.uniform(0.6, 1.6))
    side = int(min(width, height) * rng.uniform(0.3, 0.8))  # the digit's box; the rest is margin
    ink = np.zeros((height, width), dtype=np.float32)
    top, left = int(rng.integers(0, height - side + 1)), int(rng.integers(0, width - side + 1))
    ink[top:top + side, left:left + side] = digit_strokes(image, side, style["thickness"])

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
    if style.get("texture"):  # paper fibres and blotches: smooth noise at two scales
        for cells, amount in [(12, style["texture"]), (60, style["texture"] / 2)]:
            noise = Image.fromarray(rng.uniform(0, 255, (cells, cells)).astype(np.uint8)).resize((width, height), Image.BICUBIC)
            page = page * (1 - amount * np.asarray(noise, dtype=np.float32)[..., None] / 255)
    page = page + rng.normal(0, 6, page.shape)  # sensor noise
    img = Image.fromarray(np.clip(page, 0, 255).astype(np.uint8), "RGB")
    if style.get("blur"):  # out of focus: blur radius as a fraction of the digit's size
        img = img.filter(ImageFilter.GaussianBlur(style["blur"] * side))
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


PHOTO_STYLES = [  # MNIST test digits printed and photographed: blur, JPEG, paper, marker, off-centre
    dict(paper=(240, 236, 225), pen=(25, 25, 35), thickness="normal", shadow=0.3, jpeg=50, grey=False,
         transparent=False, texture=0.25, blur=0.02),
    dict(paper=(250, 250, 245), pen=(10, 10, 10), thickness="marker", shadow=0.0, jpeg=35, grey=False,
         transparent=False, texture=0.15, blur=0.0),
    dict(paper=(230, 225, 205), pen=(30, 50, 150), thickness="thin", shadow=0.4, jpeg=60, grey=True,
         transparent=False, texture=0.3, blur=0.01),
    dict(paper=(245, 245, 245), pen=(60, 30, 30), thickness="thick", shadow=0.2, jpeg=25, grey=False,
         transparent=False, texture=0.2, blur=0.035),
    dict(paper=(215, 220, 225), pen=(0, 0, 0), thickness="marker", shadow=0.5, jpeg=70, grey=False,
         transparent=False, texture=0.35, blur=0.015),
]


def handwriting_set(count=30, seed=0, source="digits", data_dir=None):
    """`count` (image, label) pairs, the same number of each digit, each with its own page style."""
    if source == "digits":
        from sklearn.datasets import load_digits  # a dev dependency: only the tests need it

        digits = load_digits()
        images, labels, styles = digits.images, digits.target, STYLES
    else:
        from mnist_data import load_mnist

        test_images, test_labels = load_mnist(data_dir, train=False)
        images, labels, styles = test_images[:, 0].numpy(), test_labels.numpy(), PHOTO_STYLES
    rng = np.random.default_rng(seed)
    pairs = []
    for i in range(count):
        label = i % 10
        choice = rng.choice(np.flatnonzero(labels == label))
        pairs.append((make_photo(images[choice], rng, styles[i % len(styles)]), label))
    return pairs


def write_set(folder, count=30, seed=0, source="digits", data_dir=None):
    """Save the set as files a reader could have made; returns [(path, label)]."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for i, (img, label) in enumerate(handwriting_set(count, seed, source, data_dir)):
        ext = "png" if img.mode == "RGBA" or i % 2 == 0 else "jpg"
        path = folder / f"{source}{i:03d}_digit{label}.{ext}"
        img.save(path, quality=90) if ext == "jpg" else img.save(path)
        saved.append((path, label))
    return saved


def guesses(model_file, pictures):
    """What a saved model reads on each picture, through predict.py's own pipeline."""
    import predict

    model = predict.load_model(Path(model_file), torch.device("cpu"))
    digits = torch.stack([predict.prepare_image(path)[1] for path, _ in pictures])
    with torch.no_grad():
        return model(digits).argmax(dim=1).tolist()


def count_correct(model_file, pictures):
    """How many pictures a saved model reads right."""
    return sum(guess == label for guess, (_, label) in zip(guesses(model_file, pictures), pictures))


SOURCES = {"digits": "scikit-learn's digits", "photos": "MNIST test digits re-photographed"}


def draw_pictures(pictures, title, path, notes=None):
    """A figure: each picture above what predict.py gives the model (28x28); notes under each."""
    import matplotlib.pyplot as plt

    import predict
    from figures import show_or_save

    rows = max(1, -(-len(pictures) // 10))
    fig, axes = plt.subplots(2 * rows, 10, figsize=(12, 2.9 * rows + 0.4), layout="constrained", squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for i, entry in enumerate(pictures):
        if entry is None:  # an empty place (a row has fewer than 10)
            continue
        picture, label = entry
        top, bottom = axes[2 * (i // 10), i % 10], axes[2 * (i // 10) + 1, i % 10]
        with Image.open(picture) as img:
            shown = img.convert("RGBA")
        checker = Image.new("RGBA", shown.size, (200, 170, 200, 255))  # where the picture is transparent
        top.imshow(Image.alpha_composite(checker, shown))
        top.set_title(f"{Path(picture).suffix[1:]}, label {label}", fontsize=8)
        bottom.imshow(predict.prepare_image(picture)[1][0].numpy(), cmap="gray", vmin=0, vmax=1)
        if notes:
            bottom.set_title(notes[i], fontsize=7, color="red")
    fig.suptitle(title)
    show_or_save(fig, Path(path), True, Path(path).name)


def main(folder, data_dir, model_files, count=100):
    """Write `count` pictures of each source into `folder` and a figure of the first 20 of each;
    with model files: how many each reads right, and a figure of the pictures each gets wrong."""
    folder = Path(folder)
    sets = {source: write_set(folder / source, count, 0, source, data_dir) for source in SOURCES}
    print(f"Wrote {count} pictures of each source into {folder}/digits and {folder}/photos", flush=True)
    draw_pictures(sets["digits"][:20] + sets["photos"][:20],
                  "Top two rows: scikit-learn's digits; bottom two: MNIST test digits re-photographed. "
                  "Below each: what predict.py gives the model", folder / "handwriting.png")
    wrong = []
    for model_file in model_files:
        rates, mistakes = [], []
        name = Path(model_file).stem.replace("mnist_model", "").strip("_")  # mlp, mlp_augment, cnn, ...
        name = name if "cnn" in name else f"mlp_{name}".strip("_")
        for source, pictures in sets.items():
            read = guesses(model_file, pictures)
            rates.append(f"{source} {sum(g == l for g, (_, l) in zip(read, pictures))}/{len(pictures)}")
            mistakes += [((path, label), f"{name}: {g}") for g, (path, label) in zip(read, pictures) if g != label]
        print(f"{model_file}: " + ", ".join(rates), flush=True)
        shown = mistakes[:10] + [(None, "")] * (10 - min(10, len(mistakes)))  # one row (up to 10) per model
        wrong += shown
    if model_files:
        draw_pictures([w[0] for w in wrong], "Pictures read wrong: one row per model (at most 10 each); "
                      "in red: model, its answer", folder / "mistakes.png", [w[1] for w in wrong])


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if len(sys.argv) < 2:
        sys.exit("usage: uv run python tests/handwriting.py OUT_DIR [MODEL.pth ...]  (MNIST in ./data or MNIST_DATA_DIR)")
    import os

    main(sys.argv[1], os.environ.get("MNIST_DATA_DIR", Path(__file__).resolve().parent.parent / "data"), sys.argv[2:])
