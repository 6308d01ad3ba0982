"""One-command GPU run: the paper ConvLSTM trained for a fixed time, then scored on ``research``.

Command (on a GPU host with JAX and no TensorFlow; the keras/namex/optree/h5py wheels
installed from the carried folder first)::

    KERAS_BACKEND=jax python experiments/gpu_convlstm.py --minutes 8 --out runs-gpu

It trains ``convlstm --preset paper`` in mixed bfloat16 with ``--time-limit MINUTES``,
scores the run's ``best.keras`` on ``research`` (1,000 sequences), and prints sequences/s,
the achieved TFLOP/s (``framepred_tf.models.flops``: a training step counted as 3× the
forward pass) and the cross-entropy beside the thesis's 361.6 nats/frame. The last line
is one JSON object with the same figures.

Result: not run yet — no GPU was lent to the sessions so far. ``--preset quick
--test-size 50 --minutes 0.5`` runs the same path on a CPU (a smoke run, not a result).
"""
import argparse
import json
import os
import sys

THESIS_CONVLSTM_CROSS_ENTROPY = 361.6  # thesis Table 4.1, research test set


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=8.0, help="training time limit (default 8)")
    parser.add_argument("--out", default="runs-gpu")
    parser.add_argument("--preset", default="paper")
    parser.add_argument("--precision", default="mixed_bfloat16")
    parser.add_argument("--test-size", type=int, default=1000)
    args = parser.parse_args(argv)

    import keras
    import numpy as np

    from framepred_tf.evaluation import evaluate
    from framepred_tf.models.flops import forward_flops
    from framepred_tf.training import train
    from framepred_tf.training.callbacks import read_history
    from framepred_tf.training.checkpoints import latest_checkpoint
    from framepred_tf.training.rundir import CHECKPOINT_DIR, WALLCLOCK_NAME, best_model_path, read_config

    run = train("convlstm", preset=args.preset, out=args.out, precision=args.precision, time_limit=args.minutes)
    config = read_config(run)
    _, state = latest_checkpoint(os.path.join(run, CHECKPOINT_DIR))
    minutes = float(read_history(os.path.join(run, WALLCLOCK_NAME))[-1]["train_minutes"])
    sequences_per_second = state["global_step"] * config["batch_size"] / (60.0 * minutes)

    from framepred_tf.models.pretrained import load_model_file

    model = load_model_file(best_model_path(run))
    flops = forward_flops(model, (10, 64, 64, 1))
    sequences = evaluate.load_test_set("research", args.test_size, "mnist")
    metrics = evaluate.evaluate_predictor(evaluate.keras_predictor(model), sequences)
    cross_entropy = metrics["cross_entropy"]
    figures = {
        "run": run, "backend": keras.backend.backend(), "precision": config["precision"],
        "steps": state["global_step"], "train_minutes": minutes,
        "sequences_per_second": sequences_per_second,
        "tflops": None if flops is None else 3 * flops * sequences_per_second / 1e12,
        "research_sequences": int(len(cross_entropy)),
        "cross_entropy": float(np.mean(cross_entropy)),
        "cross_entropy_frame_10": float(np.mean(cross_entropy[:, -1])),
        "thesis_cross_entropy": THESIS_CONVLSTM_CROSS_ENTROPY,
    }
    print(evaluate.summary_line(os.path.basename(run), "research", metrics))
    print(f"{figures['steps']} steps in {minutes:.1f} min: {sequences_per_second:.1f} sequences/s"
          + ("" if figures["tflops"] is None else f", {figures['tflops']:.2f} TFLOP/s")
          + f"; cross-entropy {figures['cross_entropy']:.1f} nats/frame (thesis {THESIS_CONVLSTM_CROSS_ENTROPY})")
    print(json.dumps(figures))


if __name__ == "__main__":
    sys.exit(main())
