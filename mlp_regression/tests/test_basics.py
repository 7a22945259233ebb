import re

import basics

SECTION_ORDER = [
    "nn.Linear(3, 2)",
    "torch.manual_seed(0)",
    "torch.tensor(",
    "y = Wx + b",
    "ReLU = max(0, x)",
    "F.mse_loss(y, t)",
    "one gradient step",
]


def run(capsys, argv=()):
    basics.main(list(argv))
    return capsys.readouterr().out


def test_mse_of_the_text_is_one(capsys):
    out = run(capsys)
    mse = float(re.search(r"^MSE: (\S+)$", out, re.M).group(1))
    assert mse == 1.0


def test_sections_come_in_the_order_of_the_text(capsys):
    out = run(capsys)
    titles = re.findall(r"^== (.+) ==$", out, re.M)
    assert len(titles) == len(SECTION_ORDER)
    for title, expected in zip(titles, SECTION_ORDER):
        assert title.startswith(expected)
    assert "Saved figure" not in out


def test_linear_layer_matches_the_hand_computation_and_seed_repeats(capsys):
    out = run(capsys)
    assert re.search(r"^same result: True$", out, re.M)
    assert re.search(r"twice -> same weights: True$", out, re.M)
    assert re.search(r"^Parameters: 8\b", out, re.M)
    assert "x.dtype = torch.float32" in out


def test_relu_zeroes_negatives(capsys):
    out = run(capsys)
    u = re.search(r"^u = fc\(x\) +=  ?tensor\(\[(.+)\], grad_fn", out, re.M).group(1)
    h = re.search(r"^h = F\.relu\(u\) = tensor\(\[(.+)\], grad_fn", out, re.M).group(1)
    assert [float(v) for v in h.split(",")] == [max(0.0, float(v)) for v in u.split(",")]
    relu = re.search(r"^F\.relu\(z\) = tensor\(\[(.+)\]\)$", out, re.M).group(1)
    values = [float(v) for v in relu.split(",")]
    assert values == [0.0, 0.0, 0.0, 1.5, 3.0]


def test_one_gradient_step_lowers_the_loss(capsys):
    out = run(capsys)
    before, after = map(float, re.search(r"^Loss went down: (\S+) -> (\S+)$", out, re.M).groups())
    assert after < before
    w_before = float(re.search(r"^before: w = (\S+),", out, re.M).group(1))
    w_after = float(re.search(r"^after:  w = (\S+),", out, re.M).group(1))
    assert abs(w_after - 2.0) < abs(w_before - 2.0)  # moved toward the true w = 2


def test_same_seed_same_output(capsys):
    assert run(capsys, ["--seed", "3"]) == run(capsys, ["--seed", "3"])
