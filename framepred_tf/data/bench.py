"""``framepred-tf bench data``: Moving MNIST generation speed."""
import time

from framepred_tf.data.moving_mnist import moving_mnist


def run_data_bench(*, sequences=2000, digits="mnist5k", num_digits=2, seq_len=20, repeats=3, threads=None, npz=None,
                   print_fn=print):
    """Time ``moving_mnist(sequences, ...)`` (float32); return ``{"sequences_per_s", "best_s", "threads"}``.

    One small untimed call first loads the digits and JIT-compiles (or loads) the kernel; the
    figure is the best of ``repeats`` runs, since other load on the machine only slows runs down.
    """
    import numba

    if threads is not None:
        numba.set_num_threads(threads)
    moving_mnist(8, num_digits=num_digits, seq_len=seq_len, digits=digits, npz=npz)
    times = []
    for repeat in range(repeats):
        start = time.perf_counter()
        frames = moving_mnist(sequences, num_digits=num_digits, seq_len=seq_len, digits=digits, seed=repeat, npz=npz)
        times.append(time.perf_counter() - start)
        del frames
    best = min(times)
    result = {"sequences_per_s": sequences / best, "best_s": best, "threads": numba.get_num_threads(),
              "times_s": times}
    print_fn(f"moving_mnist: {sequences} sequences x {seq_len} frames, {num_digits} digits from {digits}, float32: "
             f"{result['sequences_per_s']:,.0f} sequences/s (best of {repeats}: {best:.3f} s; "
             f"{result['threads']} numba threads)")
    return result
