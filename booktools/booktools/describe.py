"""A training run in words, read from the objects that ran (not from the flags, which the
reader's edit of the code may bypass): the model's parameters, layer sizes and activation
functions, the optimizer and its learning rate.

torch is imported inside the functions: `--help` answers without it.
"""


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())


def print_model(model):
    """The layers, and the parameter count (the book works one out by hand: 17,025)."""
    print(model)
    print(f"Parameters: {count_parameters(model):,}", flush=True)


def layer_sizes(model):
    """The sizes the model's layers pass on, in the order the layers were made: "2-128-128-1"
    for Linear layers; "conv 1-4-8-16, 16-1" when convolutions come first. None when the
    model has neither."""
    import torch

    convs, linears = [], []
    for layer in model.modules():
        if isinstance(layer, torch.nn.Conv2d):
            convs += [layer.in_channels] * (not convs) + [layer.out_channels]
        elif isinstance(layer, torch.nn.Linear):
            linears += [layer.in_features] * (not linears) + [layer.out_features]
    parts = ([f"conv {'-'.join(map(str, convs))}"] if convs else []) + (["-".join(map(str, linears))] if linears else [])
    return ", ".join(parts) or None


# The activation functions as a title names them, by the name of the torch function called.
ACTIVATIONS = {"relu": "ReLU", "leaky_relu": "LeakyReLU", "gelu": "GELU", "elu": "ELU", "silu": "SiLU",
               "sigmoid": "sigmoid", "tanh": "tanh"}


def activations(model, inputs):
    """The activation functions the model's forward() calls (torch.relu, nn.ReLU, x.tanh() ...),
    in order ("ReLU"): no layer holds torch.relu, so the model runs once on inputs and its calls
    are noted."""
    import torch
    from torch.overrides import TorchFunctionMode

    found = []

    class NoteCalls(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            name = ACTIVATIONS.get(getattr(func, "__name__", ""))
            if name and name not in found:
                found.append(name)
            return func(*args, **(kwargs or {}))

    with torch.no_grad(), NoteCalls():
        model(inputs)
    return found


def optimizer_text(optimizer):
    """"Adam lr=0.003": the optimizer's class and its first learning rate (a scheduler lowers
    the current one; the first is what the reader chose)."""
    if optimizer is None:
        return None
    group = optimizer.param_groups[0]
    return f"{type(optimizer).__name__} lr={group.get('initial_lr', group['lr']):g}"


class OptimizerWatch:
    """Notes the optimizer that takes the first step after it is made (torch calls it after
    every optimizer.step() until .stop()): the one the training loop really used."""

    def __init__(self):
        from torch.optim.optimizer import register_optimizer_step_post_hook

        self.optimizer = None
        self.handle = register_optimizer_step_post_hook(self.stepped)

    def stepped(self, optimizer, args, kwargs):
        if self.optimizer is None:
            self.optimizer = optimizer

    def stop(self):
        self.handle.remove()
