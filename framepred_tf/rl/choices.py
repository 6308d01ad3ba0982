"""Games and algorithms of ``framepred-tf rl``, checked without importing Keras (fast errors)."""
from framepred_tf.errors import FramepredError

# Game name on the command line -> ALE ROM id.
GAMES = {"pong": "pong"}
ALGORITHMS = ("ppo2", "a2c")


def check_game(game):
    """``game`` if it is known, else a one-line error listing the known games."""
    if game not in GAMES:
        raise FramepredError(f"unknown game {game!r}; choose one of: {', '.join(sorted(GAMES))}")
    return game


def check_algorithm(algo):
    """``algo`` if it is ppo2 or a2c, else a one-line error."""
    if algo not in ALGORITHMS:
        raise FramepredError(f"unknown algo {algo!r}; choose one of: {', '.join(ALGORITHMS)}")
    return algo
