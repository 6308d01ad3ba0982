"""``framepred-tf train MODEL``: command-line front end of :func:`framepred_tf.training.train`."""
import ast

from framepred_tf.errors import FramepredError
from framepred_tf.training.runtime import PRECISIONS, STRATEGIES


def register(subparsers, bench):
    parser = subparsers.add_parser(
        "train", help="train a frame-prediction model (writes runs/<model>-<time>/)",
        description="Train MODEL with an experiment preset (experiments/<model>.py). Options override the preset.")
    parser.add_argument("model", nargs="?", help="registered model name (see `framepred-tf models`)")
    parser.add_argument("--preset", default="quick", help="experiment preset: quick (minutes on a CPU) or paper")
    parser.add_argument("--digits", help="digit source: mnist5k (bundled), mnist, fashion, ...")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--steps-per-epoch", type=int)
    parser.add_argument("--batch-size", type=int, help="global batch size (split across replicas)")
    parser.add_argument("--lr", type=float, help="initial learning rate")
    parser.add_argument("--out", default="runs", help="parent of the run directory (default: runs)")
    parser.add_argument("--resume", metavar="RUN_DIR", help="continue RUN_DIR from its newest complete checkpoint")
    parser.add_argument("--strategy", choices=STRATEGIES, help="none (default), mirrored (local devices), "
                        "multiworker (hosts listed in TF_CONFIG)")
    parser.add_argument("--precision", choices=PRECISIONS)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--val-size", type=int, help="validation sequences (Moving MNIST)")
    parser.add_argument("--checkpoint-every", type=int, metavar="STEPS")
    parser.add_argument("--log-every", type=int, metavar="STEPS", help="steps between console lines")
    frames = parser.add_mutually_exclusive_group()
    frames.add_argument("--frames-dir", help="folder of clip folders of frames (cnn_lstm)")
    frames.add_argument("--frames-index",
                        help="index file of `framepred-tf index-frames` (17 frame paths per line; cnn_lstm)")
    parser.add_argument("--override", action="append", default=[], metavar="KEY=VALUE",
                        help="model constructor override, e.g. --override filters=(8,8,8)")
    parser.add_argument("--figure", metavar="PATH", help="write a prediction figure of the final model")
    parser.set_defaults(handler=_train)


def parse_overrides(items):
    """``["filters=(8,8,8)", "kernel_size=3"]`` -> ``{"filters": (8, 8, 8), "kernel_size": 3}``.

    Values are Python literals; anything else is taken as a plain string.
    """
    overrides = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key.strip().isidentifier():
            raise FramepredError(f"--override needs KEY=VALUE with a Python identifier as KEY, got {item!r}")
        try:
            overrides[key.strip()] = ast.literal_eval(text.strip())
        except (ValueError, SyntaxError):
            overrides[key.strip()] = text.strip()
    return overrides


def _train(args):
    from framepred_tf.training import train

    if not args.model and not args.resume:
        raise FramepredError("name a MODEL to train (see `framepred-tf models`) or give --resume RUN_DIR")
    run_dir = train(
        args.model, preset=args.preset, out=args.out, resume=args.resume, figure=args.figure,
        model_overrides=parse_overrides(args.override), digits=args.digits, epochs=args.epochs,
        steps_per_epoch=args.steps_per_epoch, batch_size=args.batch_size, lr=args.lr, strategy=args.strategy,
        precision=args.precision, seed=args.seed, frames_dir=args.frames_dir, frames_index=args.frames_index,
        val_size=args.val_size, checkpoint_every=args.checkpoint_every, log_every=args.log_every)
    print(f"run directory: {run_dir}")

