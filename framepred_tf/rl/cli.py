"""``framepred-tf rl train|eval|plot`` and ``framepred-tf bench rl``: recurrent actor-critic on Atari.

Games, algorithms and presets are checked before Keras loads, so bad names answer at once.
"""
import os

from framepred_tf.errors import FramepredError
from framepred_tf.rl.choices import check_algorithm, check_game
from framepred_tf.training.choices import PRECISIONS
from framepred_tf.utils.overrides import add_override_argument, parse_overrides

RUN_PREFIXES = ("pong-ppo2", "pong-a2c")


def register(subparsers, bench):
    rl = subparsers.add_parser("rl", help="recurrent PPO2/A2C on Atari Pong: train, eval, plot")
    commands = rl.add_subparsers(dest="rl_command", metavar="RL_COMMAND")
    rl.set_defaults(handler=lambda args: _missing_command(rl))
    _add_train(commands)
    _add_eval(commands)
    _add_plot(commands)
    p = bench.add_parser("rl", help="agent steps/s of acting alone and of the whole PPO2 and A2C loops",
                         description="Time the paper presets on this machine: the Atari envs alone, acting "
                                     "(envs + compiled policy) and whole training loops (rollout + update).")
    p.add_argument("--algo", action="append", help="ppo2 and/or a2c (default both)")
    p.add_argument("--updates", type=int, default=3, help="timed PPO2 updates (A2C: 40x as many; default 3)")
    p.add_argument("--precision", choices=PRECISIONS, default="auto",
                   help="auto (default): mixed_bfloat16 where the host has native bfloat16, else float32")
    p.set_defaults(handler=_bench)


def _missing_command(parser):
    import sys

    parser.print_help(sys.stderr)
    return 2


def _add_train(commands):
    p = commands.add_parser("train", help="train a recurrent policy (writes DIR/<game>-<algo>-<time>/)",
                            description="Train on GAME with experiments/<game>.py's preset; options override it.")
    p.add_argument("game", nargs="?", help="Atari game: pong")
    p.add_argument("--algo", help="ppo2 (default for new runs) or a2c")
    p.add_argument("--preset", default="paper", help="paper (baselines' defaults, default) or quick")
    p.add_argument("--timesteps", type=int, help="total agent steps (paper: 1,000,000)")
    p.add_argument("--envs", type=int, help="parallel games (ppo2: a multiple of the 4 minibatches)")
    p.add_argument("--log-every", type=int, metavar="TIMESTEPS", help="timesteps between console lines (40,000)")
    p.add_argument("--checkpoint-every", type=int, metavar="UPDATES", help="updates between checkpoints")
    p.add_argument("--frame-stack", type=int, help="frames per observation: 1 (default, the LSTM remembers) or 4")
    p.add_argument("--seed", type=int)
    p.add_argument("--precision", choices=PRECISIONS, help="dtype policy (default: the preset's auto)")
    p.add_argument("--env-threads", type=int, help="ALE threads (default: min(envs, CPU cores))")
    add_override_argument(p, example="lstm_units=128", what="policy")
    p.add_argument("--out", default="runs", help="parent of the run directory (default: runs)")
    p.add_argument("--resume", metavar="RUN", help="continue RUN from its newest complete checkpoint")
    p.add_argument("--time-limit", type=float, metavar="MINUTES",
                   help="stop cleanly with a checkpoint after MINUTES of training in total (across --resume)")
    p.set_defaults(handler=_train)


def _add_eval(commands):
    p = commands.add_parser("eval", help="mean and std of the raw return over whole episodes; --gif of one")
    p.add_argument("run_dir", nargs="?", help="run directory (default: the newest pong run under --runs)")
    p.add_argument("--runs", default="runs", help="where to look when RUN is not given (default: runs)")
    p.add_argument("--episodes", type=int, default=10)
    p.add_argument("--gif", metavar="PATH", help="write an animated GIF of the first game's episode")
    p.add_argument("--policy", choices=("best", "latest"), default="best",
                   help="best.keras (default; the newest checkpoint if there is none) or the newest checkpoint")
    p.add_argument("--seed", type=int, help="seed of the games (default: the run's seed + 1,000,000)")
    p.set_defaults(handler=_eval)


def _add_plot(commands):
    p = commands.add_parser("plot", help="curve.png: mean reward against timesteps of one or more runs")
    p.add_argument("run_dirs", nargs="+", metavar="RUN")
    p.add_argument("--compare", metavar="SEED_FILE",
                   help="also draw the curves of this seed file (sections '## N' of 'timesteps reward fps')")
    p.add_argument("--out", help="PNG path (default: RUN/curve.png for one run, curve.png for several)")
    p.set_defaults(handler=_plot)


def _train(args):
    if not args.game and not args.resume:
        raise FramepredError("name a GAME to train (pong) or give --resume RUN")
    if args.game:
        check_game(args.game)
    if args.algo:
        check_algorithm(args.algo)
    overrides = parse_overrides(args.override)
    if not args.resume:
        from experiments import load_preset

        load_preset(args.game, args.preset)  # a bad preset answers before Keras loads
    from framepred_tf.rl.train import train

    run_dir = train(args.game, algo=args.algo, preset=args.preset, out=args.out, resume=args.resume,
                    policy_overrides=overrides, timesteps=args.timesteps, n_envs=args.envs, log_every=args.log_every,
                    checkpoint_every=args.checkpoint_every, time_limit=args.time_limit, seed=args.seed,
                    precision=args.precision, frame_stack=args.frame_stack, env_threads=args.env_threads)
    print(f"run directory: {run_dir}")


def _eval(args):
    from framepred_tf.training.rundir import newest_run

    run_dir = args.run_dir or newest_run(args.runs, RUN_PREFIXES)
    if run_dir is None:
        raise FramepredError(f"no pong run under {args.runs}; give RUN or train one with `framepred-tf rl train pong`")
    if not os.path.isdir(run_dir):
        raise FramepredError(f"{run_dir} is not a directory; give an rl run directory")
    from framepred_tf.rl.evaluate import evaluate

    evaluate(run_dir, episodes=args.episodes, gif=args.gif, which=args.policy, seed=args.seed)
    if args.gif:
        print(f"GIF: {args.gif}")


def _plot(args):
    from framepred_tf.rl.logger import CURVE_NAME
    from framepred_tf.rl.plot import save_curves

    out = args.out or (os.path.join(args.run_dirs[0], CURVE_NAME) if len(args.run_dirs) == 1 else CURVE_NAME)
    print(f"curve: {save_curves(args.run_dirs, out, compare=args.compare)}")


def _bench(args):
    algos = [check_algorithm(algo) for algo in (args.algo or ["ppo2", "a2c"])]
    if args.updates < 1:
        raise FramepredError(f"--updates must be at least 1, got {args.updates}")
    from framepred_tf.rl.bench import run_rl_bench

    run_rl_bench(algos, updates=args.updates, precision=args.precision)
