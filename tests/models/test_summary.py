"""``framepred-tf models``: every registered model and every shipped pretrained name."""
import subprocess
import sys

from framepred_tf import registry
from framepred_tf.models import pretrained


def test_models_command_lists_the_registry_and_the_shipped_weights():
    result = subprocess.run([sys.executable, "-m", "framepred_tf.cli", "models"], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    names = [line.split()[0] for line in result.stdout.splitlines() if line.strip()]
    assert set(registry.model_names()) <= set(names)
    assert "3,701,249" in result.stdout  # the paper convlstm with channel peepholes (README's table)
    shipped = pretrained.list_pretrained(pretrained.DEFAULT_DIR)
    assert {"convlstm-cpu", "encoder_forecaster-cpu"} <= set(shipped)
    rows = {parts[0]: parts for parts in (line.split() for line in result.stdout.splitlines()) if parts}
    for name in shipped:  # name, model and figure in columns of their own
        entry = pretrained.pretrained_entry(name, pretrained.DEFAULT_DIR)
        assert rows[name][1:3] == [entry["model"], f"{entry['research']['cross_entropy']:.1f}"]
