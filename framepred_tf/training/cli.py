"""``framepred-tf train MODEL`` (front end of :func:`framepred_tf.training.train`) and ``framepred-tf plot RUN ...``."""
from framepred_tf.errors import FramepredError
from framepred_tf.training.choices import PRECISIONS, STRATEGIES
from framepred_tf.utils.overrides import add_override_argument, parse_overrides


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
    parser.add_argument("--precision", choices=PRECISIONS,
                        help="dtype policy; auto: mixed_bfloat16 where the host has native bfloat16, else float32")
    parser.add_argument("--time-limit", type=float, metavar="MINUTES",
                        help="stop cleanly after MINUTES of training in total (counted across --resume), saving "
                             "a checkpoint, best.keras, the history and samples")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--val-size", type=int, help="validation sequences (Moving MNIST)")
    parser.add_argument("--checkpoint-every", type=int, metavar="STEPS")
    parser.add_argument("--log-every", type=int, metavar="STEPS", help="steps between console lines")
    frames = parser.add_mutually_exclusive_group()
    frames.add_argument("--frames-dir", help="folder of clip folders of frames (cnn_lstm)")
    frames.add_argument("--frames-index",
                        help="index file of `framepred-tf index-frames` (17 frame paths per line; cnn_lstm)")
    add_override_argument(parser)
    parser.add_argument("--figure", metavar="PATH", help="write a prediction figure of the final model")
    parser.add_argument("--figure-pretrained", metavar="NAME",
                        help="add a row of the shipped pretrained model NAME to the --figure (see `framepred-tf "
                             "models`); auto: the shipped <model>-cpu if there is one, else no extra row")
    parser.set_defaults(handler=_train)
    _add_plot(subparsers)

    train_bench = bench.add_parser(
        "train", help="sequences/s of a preset's training and where a step's time goes",
        description="Train MODEL with PRESET briefly and report sequences/s (fit, with the run's per-step "
                    "callbacks), the split of a step and the per-epoch costs per 100 steps. The backend is "
                    "KERAS_BACKEND's.")
    train_bench.add_argument("model", help="registered model name")
    train_bench.add_argument("--preset", default="quick")
    train_bench.add_argument("--steps", type=int, default=30, help="timed fit steps (default 30)")
    train_bench.add_argument("--warmup", type=int, default=5, help="untimed fit steps first (default 5)")
    train_bench.add_argument("--batch-size", type=int, help="instead of the preset's")
    train_bench.add_argument("--precision", choices=PRECISIONS, help="instead of the preset's")
    add_override_argument(train_bench)
    train_bench.set_defaults(handler=_bench_train)


def _add_plot(subparsers):
    parser = subparsers.add_parser(
        "plot", help="curves.png: validation loss against training minutes of frame-prediction runs",
        description="Plot val_loss (history.csv) against wall-clock training minutes (wallclock.csv) of each RUN, "
                    "one line per run labelled with its model and preset; the points go to OUT's .csv beside it.")
    parser.add_argument("run_dirs", nargs="+", metavar="RUN", help="run directories of framepred-tf train")
    parser.add_argument("--out", default="curves.png", help="PNG path (default: curves.png); the points go to "
                        "the same path with .csv")
    parser.add_argument("--baseline", type=float, metavar="VALUE",
                        help="draw a dashed horizontal line at VALUE (e.g. 654.6, the mean training frame)")
    parser.add_argument("--baseline-label", metavar="TEXT", help="legend text of the --baseline line")
    parser.set_defaults(handler=_plot)


def _plot(args):
    from framepred_tf.training.curves import save_curves

    png, table = save_curves(args.run_dirs, args.out, baseline=args.baseline, baseline_label=args.baseline_label)
    print(f"curves: {png}\npoints: {table}")


def _bench_train(args):
    from framepred_tf.registry import check_preset

    check_preset(args.model, args.preset)
    from framepred_tf.training.bench import run_train_bench

    return run_train_bench(args)


def _train(args):
    if not args.model and not args.resume:
        raise FramepredError("name a MODEL to train (see `framepred-tf models`) or give --resume RUN_DIR")
    overrides = parse_overrides(args.override)
    if args.model and not args.resume:
        from framepred_tf.registry import check_preset

        check_preset(args.model, args.preset)  # before TensorFlow loads: bad names answer at once
    from framepred_tf.training import train

    run_dir = train(
        args.model, preset=args.preset, out=args.out, resume=args.resume, figure=args.figure,
        figure_pretrained=args.figure_pretrained, model_overrides=overrides, digits=args.digits, epochs=args.epochs,
        steps_per_epoch=args.steps_per_epoch, batch_size=args.batch_size, lr=args.lr, strategy=args.strategy,
        precision=args.precision, seed=args.seed, frames_dir=args.frames_dir, frames_index=args.frames_index,
        val_size=args.val_size, checkpoint_every=args.checkpoint_every, log_every=args.log_every,
        time_limit=args.time_limit)
    print(f"run directory: {run_dir}")

