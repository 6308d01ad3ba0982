"""``framepred-tf bench data`` runs and reports a rate."""
import re

from framepred_tf.cli import main


def test_bench_data_prints_rate_and_threads(capsys):
    assert main(["bench", "data", "--sequences", "64", "--repeats", "2", "--num-digits", "3"]) == 0
    out = capsys.readouterr().out
    match = re.search(r"64 sequences x 20 frames, 3 digits from mnist5k, float32: ([\d,]+) sequences/s "
                      r"\(best of 2: [\d.]+ s; (\d+) numba threads\)", out)
    assert match, out
    assert float(match.group(1).replace(",", "")) > 0 and int(match.group(2)) >= 1


def test_bench_data_bad_source_is_one_line_error(capsys):
    assert main(["bench", "data", "--digits", "kmnist", "--sequences", "4"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("framepred-tf: error: unknown digit source") and err.count("\n") == 1
