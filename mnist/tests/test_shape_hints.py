"""The shape errors the book's exercises lead to (more channels, a layer line removed): Python's
traceback as usual, then one line naming the line of src/train.py to look at, and why."""
import re

import pytest

from booktools.testing import run_edited
from conftest import CHAPTER_DIR

CONV3 = "        data = self.conv3(data)  # -> 3x3\n"


def line_no(folder, text):
    lines = (folder / "src" / "train.py").read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if line.strip().startswith(text))


@pytest.mark.parametrize("edit, error, hint", [
    # the book: change the channels; view(-1, 16) then makes two rows of each image
    (("Conv2d(8, 16, kernel_size=3)", "Conv2d(8, 32, kernel_size=3)"),
     "ValueError: Using a target size (torch.Size([16])) that is different to the input size (torch.Size([32]))",
     "data = data.view(-1, 16): the model gives 32 outputs for 16 labels, because view(-1, 16) cuts the 32 "
     "numbers each image has there into twice as many rows of 16: make it view(-1, 32) and fc take 32, or the "
     "layers before give 16 (print(data.shape) before this line shows it)"),
    (("Conv2d(4, 8, kernel_size=3)", "Conv2d(5, 8, kernel_size=3)"),
     "RuntimeError: Given groups=1, weight of size [8, 5, 3, 3], expected input[16, 4, 13, 13] to have 5 channels",
     "data = self.conv2(data): conv2 is Conv2d(5, 8, kernel_size=3) and takes 5 channels, but the data arriving "
     "has 4 (16x4x13x13): make the layer before give 5, or conv2 take 4 (print(data.shape) before this line "
     "shows it)"),
    # a layer's line removed from forward
    ((CONV3, ""), "RuntimeError: view size is not compatible with input tensor's size and stride",
     "data = data.view(-1, 16): each image holds 32 numbers here (16x8x2x2), but view(-1, 16) makes rows of 16: "
     "make it view(-1, 32) and the next layer take 32, or the layers before give 16 numbers per image "
     "(print(data.shape) before this line shows it); conv3 is made in __init__ but forward never uses it"),
])
def test_a_shape_error_ends_with_a_hint_naming_the_readers_line(mnist_dir, tmp_path, edit, error, hint):
    result = run_edited(CHAPTER_DIR, tmp_path, [("src/train.py", *edit)], "train.py", "--data-dir", mnist_dir,
                        "--epochs", "1", "--batch-size", "16", "--train-size", "all", "--no-show")
    lines = result.stderr.splitlines()
    assert result.returncode == 1 and "Traceback (most recent call last):" in lines
    assert any(line.startswith(error) for line in lines[-3:]), result.stderr[-2000:]
    looked = line_no(tmp_path, hint.split(":")[0])
    assert lines[-1] == f"hint: src/train.py line {looked}, {hint}"
    assert re.search(rf'File ".*train\.py", line {looked}, in forward', result.stderr) or "view" in hint
    lines[-1].encode("cp932")
