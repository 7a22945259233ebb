"""train.py's partner (as the book compares a CNN with a fully connected network): one
Linear layer, a flag of its own (--bias), and the loss curve only. Each script's
--compare draws the other's runs too.

    python ./src/train_linear.py ./data/steps.csv --bias 0.1
"""
import train
from booktools.cli import exit_now


def main(argv=None):
    args = train.parse_args(argv, __file__, partner="train.py", own_flags=add_bias_flag)
    model = train.Model()
    del model.fc2  # one layer
    model.fc1 = train.Linear(2, 1)
    train.run(args, model, curves=("loss",))


def add_bias_flag(parser):
    parser.add_argument("--bias", type=float, default=0.0,
                        help="a flag of this script only (recorded; the arithmetic ignores it)")


if __name__ == "__main__":
    main()
    exit_now()
