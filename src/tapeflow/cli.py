"""The ``tapeflow`` command: ``tapeflow demo`` and ``tapeflow run PROGRAM``."""
import argparse
import os
import sys


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one clear line and exit status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def build_parser():
    """Returns the argument parser of the ``tapeflow`` command."""
    parser = _Parser(prog="tapeflow", description="tapeflow: TensorFlow's eager core and "
                     "Keras, rebuilt on NumPy.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    demo = sub.add_parser("demo", help="train the linear classifier of chapter 3 and write "
                          "its plots and animation")
    demo.add_argument("--out", default="tapeflow-demo", help="output folder "
                      "(default: ./tapeflow-demo)")
    demo.add_argument("--steps", type=_positive_int, default=40, help="training steps (40)")
    demo.add_argument("--learning-rate", type=_positive_float, default=0.1,
                      help="learning rate (0.1)")
    demo.add_argument("--samples", type=_positive_int, default=1000,
                      help="points per class (1000)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (0)")
    demo.add_argument("--no-gif", action="store_true", help="skip the training animation")
    run = sub.add_parser("run", help="run a TensorFlow program or notebook with tapeflow in "
                         "its place and report what it used that tapeflow lacks")
    run.add_argument("program", help="a .py script or .ipynb notebook")
    run.add_argument("--out", default="tapeflow-run", help="folder for figures that "
                     "plt.show() would display (default: ./tapeflow-run)")
    run.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the program")
    return parser


def _check_out_dir(path):
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        return f"cannot create output folder {path!r}: {e.strerror}"
    if not os.access(path, os.W_OK):
        return f"output folder {path!r} is not writable"
    return None


def main(argv=None):
    """Runs the ``tapeflow`` command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "demo":
        problem = _check_out_dir(args.out)
        if problem:
            print(f"tapeflow demo: error: {problem}", file=sys.stderr)
            return 1
        try:
            from tapeflow.viz.demo import run_demo
        except ImportError as e:
            print(f"tapeflow demo: error: {e}", file=sys.stderr)
            return 1
        run_demo(out=args.out, steps=args.steps, learning_rate=args.learning_rate,
                 samples=args.samples, seed=args.seed, gif=not args.no_gif)
        return 0
    if args.command == "run":
        if not os.path.isfile(args.program):
            print(f"tapeflow run: error: no such file: {args.program}", file=sys.stderr)
            return 2
        from tapeflow.compat.runner import run_program
        try:
            return run_program(args.program, out_dir=args.out, argv=args.args)
        except ValueError as e:
            print(f"tapeflow run: error: {e}", file=sys.stderr)
            return 2
    return 2  # pragma: no cover  (argparse rejects unknown commands)


if __name__ == "__main__":
    sys.exit(main())
