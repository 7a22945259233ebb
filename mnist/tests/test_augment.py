"""augment() (digits/mnist_data.py), train_mlp.py --augment and show_mnist.py --augment."""

import math

import pytest
import torch

import show_mnist
import train_mlp
from conftest import assert_png, numbers
from digits.mnist_data import augment
from test_train_mlp_predict import EPOCH_LINE, TEST_LINE


def bar_images(n):
    """n copies of one upright bar (a "1"), 4 pixels wide, 16 tall, in the middle."""
    images = torch.zeros(n, 1, 28, 28)
    images[:, :, 6:22, 12:16] = 1.0
    return images


def centre_of_mass(images):
    ys, xs = torch.meshgrid(torch.arange(28.0), torch.arange(28.0), indexing="ij")
    mass = images[:, 0].sum(dim=(1, 2))
    return (images[:, 0] * ys).sum(dim=(1, 2)) / mass, (images[:, 0] * xs).sum(dim=(1, 2)) / mass


def test_nothing_asked_changes_nothing():
    images = torch.rand(8, 1, 28, 28)
    same = augment(images, max_angle=0, max_shift=0, zoom=(1, 1), p_thick=0, p_blur=0)
    assert torch.allclose(same, images, atol=1e-5)


def test_each_image_gets_its_own_change_within_the_limits():
    torch.manual_seed(0)
    images = bar_images(200)
    out = augment(images)
    assert out.shape == images.shape and out.min() >= 0 and out.max() <= 1
    assert not torch.equal(out[0], out[1])  # not one transform for the whole batch
    cy, cx = centre_of_mass(out)
    shift = torch.maximum((cy - 13.5).abs(), (cx - 13.5).abs())
    assert shift.max() <= 0.08 * 28 + 1  # shifts up to 8% of the width (2.2 pixels), plus rounding
    assert shift.max() > 1.0  # ... and they do happen
    # The bar's tilt: its second moments tell the angle; up to 15 degrees either way.
    ys, xs = torch.meshgrid(torch.arange(28.0), torch.arange(28.0), indexing="ij")
    dy, dx = ys - cy.view(-1, 1, 1), xs - cx.view(-1, 1, 1)
    w = out[:, 0]
    angle = 0.5 * torch.atan2(2 * (w * dx * dy).sum((1, 2)), (w * (dy ** 2 - dx ** 2)).sum((1, 2)))
    degrees = angle.abs() * 180 / math.pi
    assert degrees.max() <= 16 and degrees.max() > 8


def test_thicker_and_blurred_strokes():
    images = bar_images(4)
    fixed = dict(max_angle=0, max_shift=0, zoom=(1, 1))
    thick = augment(images, p_thick=1, p_blur=0, **fixed)
    blurred = augment(images, p_thick=0, p_blur=1, **fixed)
    assert (thick > 0.4).sum() > (images > 0.4).sum() * 1.3  # more of the image is ink
    assert blurred.sum().item() == pytest.approx(images.sum().item(), rel=1e-4)  # the same ink, spread out
    soft_edge = (blurred > 0.01) & (blurred < 0.99)
    assert soft_edge.sum() > 100 and not ((images > 0.01) & (images < 0.99)).any()  # sharp edges became soft


def test_train_mlp_augment_learns(mnist_dir, tmp_path, capsys):
    def run(*extra):
        train_mlp.main(["--data-dir", str(mnist_dir), "--epochs", "6", "--save-model", str(tmp_path / "m.pth"),
                        "--save", str(tmp_path / "mlp.png"), "--no-show", *extra])
        return capsys.readouterr().out
    plain, augmented = run(), run("--augment")
    rows = numbers(EPOCH_LINE, augmented)
    assert len(rows) == 6 and all(math.isfinite(v) for row in rows for v in row)
    assert rows[-1][1] < rows[0][1]
    (_, test_acc), = numbers(TEST_LINE, augmented)
    assert test_acc > 50
    assert numbers(EPOCH_LINE, plain)[0][1] != rows[0][1]  # it really trained on other images
    assert_png(tmp_path / "mlp.png")


@pytest.mark.parametrize("extra, name", [([], "show_mnist_augment.png"),
                                         (["--digits", "4", "9"], "show_mnist_4_9_augment.png")])
def test_show_mnist_augment_grid(mnist_dir, outputs_dir, capsys, extra, name):
    show_mnist.main(["--data-dir", str(mnist_dir), "--augment", *extra])
    assert f"Saved figure to {outputs_dir / name}" in capsys.readouterr().out
    assert_png(outputs_dir / name)
