"""Show the first 100 MNIST training images with their labels (or only some digits, or augmented copies)."""

import matplotlib.pyplot as plt

from booktools.cli import Parser, fail
from booktools.torch_setup import seed_everything
from booktools.figures import show_or_save
from digits.mnist_data import augment, load_mnist
from flags.chapter import add_common_flags

GRID = 10  # 10 x 10 = 100 images


def main(argv=None):
    args = parse_args(argv)
    images, labels = load_data(args.data_dir, args.digits)
    if args.augment:
        fig = show_augmented(images, labels)
    else:
        fig = show_images(images, labels, args.digits)
    name = "show_mnist.png" if args.digits is None else f"show_mnist_{'_'.join(map(str, args.digits))}.png"
    if args.augment:
        name = name.replace(".png", "_augment.png")
    show_or_save(fig, args, name)


def parse_args(argv):
    parser = Parser(__file__, description="Show the first 100 training images of MNIST with their labels.")
    parser.add_argument("--digits", type=int, nargs="+", default=None,
                        help="show only these digits, e.g. --digits 4 9")
    parser.add_argument("--augment", action="store_true",
                        help="show 10 images, each with 9 randomly changed copies (train_mlp.py --augment)")
    add_common_flags(parser, device=False)
    args = parser.parse_args(argv)
    if args.digits is not None:
        bad = [d for d in args.digits if not 0 <= d <= 9]
        if bad:
            fail(f"--digits must be between 0 and 9, got {' '.join(map(str, bad))}")
    return args


def load_data(data_dir, digits):
    images, labels = load_mnist(data_dir, train=True)
    if digits is not None:
        keep = (labels.unsqueeze(1) == labels.new_tensor(digits)).any(dim=1)
        images, labels = images[keep], labels[keep]
    return images[:GRID * GRID], labels[:GRID * GRID]


def show_images(images, labels, digits):
    fig, axes = plt.subplots(GRID, GRID, figsize=(8, 9), layout="constrained")
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < len(images):
            ax.imshow(images[i, 0].numpy(), cmap="gray")
            ax.set_title(str(labels[i].item()), fontsize=8, pad=2)
    which = "all digits" if digits is None else "digits " + ", ".join(map(str, digits))
    fig.suptitle(f"First {len(images)} MNIST training images ({which}); title = label")
    return fig


def show_augmented(images, labels):
    """One row per image: the original, then 9 copies as train_mlp.py --augment makes them."""
    seed_everything(0)  # the same copies every run
    originals = images[:GRID]
    copies = augment(originals.repeat_interleave(GRID - 1, dim=0)).view(len(originals), GRID - 1, 28, 28)
    fig, axes = plt.subplots(GRID, GRID, figsize=(8, 9), layout="constrained")
    for ax in axes.flat:
        ax.axis("off")
    for row, (original, copy) in enumerate(zip(originals, copies)):
        axes[row, 0].imshow(original[0].numpy(), cmap="gray")
        axes[row, 0].set_title(f"original {labels[row].item()}", fontsize=8, pad=2)
        for col in range(1, GRID):
            axes[row, col].imshow(copy[col - 1].numpy(), cmap="gray", vmin=0, vmax=1)
    fig.suptitle("Left: training image. Right: 9 random copies (rotate, shift, zoom, thicken, blur)")
    return fig


if __name__ == "__main__":
    main()
