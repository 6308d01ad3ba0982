"""The real Pong env, a tiny training run through the CLI, `rl eval --gif` and `rl plot --compare`."""
import os
import re

import numpy as np
import pytest
from PIL import Image

from tests.rl.conftest import TINY_OVERRIDES, requires_ale, run_cli

SEED_LINE = re.compile(r"^\d+ (-?\d+\.\d|nan) \d+\.\d$")


@requires_ale
def test_pong_envs_for_a_few_hundred_steps():
    from framepred_tf.rl.env import AtariEnvs

    rng = np.random.default_rng(0)
    for stack in (1, 4):
        with AtariEnvs("pong", 2, frame_stack=stack) as envs:
            assert envs.n_actions == 6 and envs.observation_shape == (84, 84, stack)
            first = envs.reset(seed=3)
            assert first.shape == (2, 84, 84, stack) and first.dtype == np.uint8
            frames = [first]
            for _ in range(150 if stack == 4 else 300):
                observations, rewards, dones, finished = envs.step(rng.integers(0, 6, 2))
                assert observations.shape == (2, 84, 84, stack) and rewards.dtype == np.float32
                assert set(np.unique(rewards)) <= {-1.0, 0.0, 1.0} and dones.dtype == bool
                frames.append(observations)
            # The ball moves: frames differ, and a fixed seed replays the same start.
            assert np.abs(frames[-1].astype(int) - frames[0]).max() > 0
            np.testing.assert_array_equal(envs.reset(seed=3), first)


@requires_ale
@pytest.mark.slow
def test_train_eval_gif_and_plot_through_the_cli(tmp_path):
    status, out, err = run_cli(["rl", "train", "pong", "--preset", "quick", "--envs", "2", "--timesteps", "192",
                                "--log-every", "64", "--out", str(tmp_path), *TINY_OVERRIDES])
    assert status == 0, err
    lines = out.splitlines()
    assert all(SEED_LINE.match(line) for line in lines[:-1]) and len(lines) == 4, out
    assert [line.split()[0] for line in lines[:-1]] == ["64", "128", "192"]
    run = lines[-1].split(": ", 1)[1]
    assert os.path.basename(run).startswith("pong-ppo2-") and "ETA" in err
    header = open(os.path.join(run, "progress.csv")).readline().strip().split(",")
    assert header[:3] == ["timesteps", "mean_reward", "fps"]
    assert os.listdir(os.path.join(run, "logs"))  # TensorBoard events

    gif = tmp_path / "agent.gif"
    status, out, err = run_cli(["rl", "eval", "--runs", str(tmp_path), "--episodes", "1", "--gif", str(gif),
                                "--policy", "latest"])
    assert status == 0, err
    match = re.search(r"mean return (-?\d+\.\d+) ± 0\.00 over 1 episodes", out)
    assert match and -21 <= float(match.group(1)) <= 21 and float(match.group(1)).is_integer(), out
    with Image.open(gif) as image:
        assert image.size == (168, 168) and image.n_frames > 100  # a whole Pong episode
    assert os.path.isfile(os.path.join(run, "eval.json"))

    seed_file = tmp_path / "seed.txt"
    seed_file.write_text("# LSTM\n1   (1, 256)\n## 1\n0 0.0 0.0\n40000 -20.5 207.2\n#7\n* unstack\n"
                         "0 0.0 0.0\n40000 -20.1 309.6\n80000 -19.0 300.0\n")
    status, out, err = run_cli(["rl", "plot", run, "--compare", str(seed_file)])
    assert status == 0, err
    assert out.strip() == f"curve: {os.path.join(run, 'curve.png')}"


def test_seed_curves_are_parsed_from_their_sections(tmp_path):
    from framepred_tf.rl.plot import parse_seed_curves

    seed_file = tmp_path / "seed.txt"
    seed_file.write_text("# LSTM OPEN AI\n* units = 256\n1   (1, 256)\n\n## 1\n0 0.0 0.0\n40000 -20.5 207.2\n\n"
                         "## 2\nsplitted = tf.split(axis=0)\n\n0 0.0 0.0\n40000 -20.0 193.4\n\n# 4\n* unstack\n\n"
                         "0 0.0 0.0\n40000 -20.8 195.0\n80000 -20.3 183.2\n#7\n0 0.0 0.0\n")
    curves = parse_seed_curves(seed_file)
    assert [label for label, _, _ in curves] == ["seed run 1", "seed run 2 (splitted = tf.split(axis=0))",
                                                 "seed run 4 (unstack)"]  # run 7 has no point after 0
    assert curves[2][1:] == ([40000, 80000], [-20.8, -20.3])  # the "0 0.0 0.0" placeholder skipped


@pytest.mark.skipif("FRAMEPRED_RL_SEED_CURVES" not in os.environ,
                    reason="the seed file 001_*.txt is not beside the checkout (FRAMEPRED_RL_SEED_CURVES)")
def test_the_seed_file_has_its_curves_to_one_million():
    from framepred_tf.rl.plot import parse_seed_curves

    curves = parse_seed_curves(os.environ["FRAMEPRED_RL_SEED_CURVES"])
    assert len(curves) >= 5
    for _, timesteps, rewards in curves:
        assert timesteps[0] == 40_000 and timesteps[-1] == 1_000_000 and len(timesteps) == 25
        assert all(-21 <= r <= 21 for r in rewards)
    assert curves[0][2][0] == -20.5  # "40000 -20.5 207.2"
