"""``framepred-tf models``: the registry with each default (paper-size) model's parameter count."""
from framepred_tf.models import list_models, model_class


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
        print(f"{name:<22}{default_parameter_count(name):>14,}  {cls.default_input_shape}")
