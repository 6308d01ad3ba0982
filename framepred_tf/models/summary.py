"""``framepred-tf models``: the registry with each default (paper-size) model's parameter count,
then the shipped pretrained weights."""
from framepred_tf.models import list_models, model_class
from framepred_tf.models.pretrained import read_manifest


def default_parameter_count(name):
    """Build the paper-size model ``name`` (no forward pass) and count its parameters."""
    cls = model_class(name)
    model = cls()
    model.build(cls.default_input_shape)
    return model.count_params()


def print_registry():
    print(f"{'model':<22}{'parameters':>14}  input")
    for name in list_models():
        cls = model_class(name)
        if hasattr(cls, "default_input_shape"):
            print(f"{name:<22}{default_parameter_count(name):>14,}  {cls.default_input_shape}")
        else:
            # A VQA model's input sizes (vocabulary, answers, image or features) come from its data.
            print(f"{name:<22}{'(from data)':>14}  image or features + question (framepred-tf vqa train)")
    print_pretrained()


def print_pretrained():
    """The pretrained names (``--pretrained NAME``) with their model and research cross-entropy."""
    manifest = read_manifest()
    if not manifest:
        print("\npretrained: none installed")
        return
    # Columns as wide as their longest entry plus two spaces, so long names never run together.
    name_width = max(len("pretrained"), *map(len, manifest)) + 2
    model_width = max(len("model"), *(len(str(entry.get("model"))) for entry in manifest.values())) + 2
    print(f"\n{'pretrained':<{name_width}}{'model':<{model_width}}research cross-entropy (nats/frame)")
    for name, entry in sorted(manifest.items()):
        research = entry.get("research") or {}
        score = research.get("cross_entropy")
        figure = f"{score:.1f} (n={research.get('size')})" if isinstance(score, (int, float)) else "-"
        print(f"{name:<{name_width}}{str(entry.get('model')):<{model_width}}{figure}")
