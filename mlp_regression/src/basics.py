"""The building blocks of an MLP in PyTorch, one at a time, in the order and under the
names of the article's code (fc, x, u, h, t, y, mse), each with a short explanation.

    uv run ./src/basics.py

The last section (one gradient step) is ours: the article explains it in words only.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from booktools.cli import Parser
from booktools.torch_setup import seed_everything

LR = 0.01  # the learning rate of the text


def main(argv=None):
    args = parse_args(argv)
    seed_everything(args.seed)
    fc = show_linear_layer()
    show_manual_seed()
    x = show_tensor()
    u = show_linear_transform(fc, x)
    show_relu(u)
    show_mse()
    show_gradient_step()


def parse_args(argv):
    parser = Parser(__file__, description="Print the building blocks of an MLP (nn.Linear, ReLU, MSE, one SGD step).")
    parser.add_argument("--seed", type=int, default=0, help="random seed for the layer weights (default: 0)")
    return parser.parse_args(argv)


def section(title, explanation):
    print(f"\n== {title} ==")
    print(f"   {explanation}")


def show_linear_layer():
    section("nn.Linear(3, 2)", "全結合層: 入力ノード 3 個を出力ノード 2 個へつなぐ。重み 2x3 とバイアス 2 個を持つ")
    fc = nn.Linear(3, 2)
    print(fc)
    print("fc.weight =", fc.weight.data)
    print("fc.bias   =", fc.bias.data)
    print(f"Parameters: {sum(p.numel() for p in fc.parameters()):,}  (3*2 weights + 2 biases)")
    return fc


def show_manual_seed():
    section("torch.manual_seed(0)", "乱数のシードを固定すると、重みの初期値が毎回同じになり結果を再現できる")
    torch.manual_seed(0)
    first = nn.Linear(3, 2).weight.data.clone()
    torch.manual_seed(0)
    second = nn.Linear(3, 2).weight.data.clone()
    unseeded = nn.Linear(3, 2).weight.data.clone()  # the generator has moved on: new numbers
    print("seed 0, then nn.Linear(3, 2) twice -> same weights:", torch.equal(first, second))
    print("a third layer without re-seeding   -> same weights:", torch.equal(first, unseeded))


def show_tensor():
    section("torch.tensor([1., 2., 3.])", "テンソルは PyTorch の計算で使うデータの型。小数点付きの値は float32 になる")
    x = torch.tensor([1., 2., 3.])
    print("x       =", x)
    print("type(x) =", type(x))
    print("x.dtype =", x.dtype)
    return x


def show_linear_transform(fc, x):
    section("y = Wx + b", "線形変換: 重み W を掛けてバイアス b を足す。fc(x) は同じ計算をしている")
    u = fc(x)  # 本との違い: the fc of the first section (its weights are printed), not a new one
    print("u = fc(x)         =", u)
    by_hand = fc.weight @ x + fc.bias  # the same, with the weights printed above
    print("fc.weight @ x + b =", by_hand.data)
    print("same result:", torch.allclose(u, by_hand))
    return u


def show_relu(u):
    section("ReLU = max(0, x)", "非線形変換 (活性化関数): 負の値を 0 にし、正の値はそのまま通す")
    h = F.relu(u)
    print("h = F.relu(u) =", h)
    z = torch.tensor([-2.0, -0.5, 0.0, 1.5, 3.0])  # more values, to see the rule
    print("z         =", z)
    print("F.relu(z) =", F.relu(z))
    print("max(0, z) =", torch.maximum(z, torch.zeros_like(z)), " <- the same, by hand")


def show_mse():
    section("F.mse_loss(y, t)", "平均二乗誤差 (MSE): (予測 - 正解)^2 の平均。回帰の損失関数")
    t = torch.tensor([1.0, 3.0])  # targets
    y = torch.tensor([2.0, 4.0])  # predictions
    mse = F.mse_loss(y, t)
    print("t =", t, " y =", y)
    print("((2-1)^2 + (4-3)^2) / 2 =", ((y - t) ** 2).mean().item())
    print(f"MSE: {mse.item()}")


def show_gradient_step():  # 本との違い: not in the article's code (it explains this step in words)
    section(f"one gradient step (lr {LR})", "勾配降下法: 損失の勾配と逆向きに、学習率を掛けた分だけパラメータを動かす")
    x = torch.tensor([1.0, 2.0, 3.0])
    t = 2 * x  # the right answer is w = 2
    w = torch.tensor(0.5, requires_grad=True)
    loss = F.mse_loss(w * x, t)
    loss.backward()  # fills w.grad with d(loss)/dw
    print(f"before: w = {w.item():.4f}, loss = {loss.item():.4f}, gradient = {w.grad.item():.4f}")
    with torch.no_grad():  # the update itself must not be recorded for backprop
        w -= LR * w.grad
    new_loss = F.mse_loss(w * x, t)
    print(f"after:  w = {w.item():.4f}, loss = {new_loss.item():.4f}")
    print(f"Loss went down: {loss.item():.4f} -> {new_loss.item():.4f}")


if __name__ == "__main__":
    main()
