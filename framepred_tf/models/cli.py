"""``framepred-tf models``, ``framepred-tf bench model`` and ``framepred-tf bench layer``."""
from framepred_tf.utils.overrides import add_override_argument


def register(subparsers, bench):
    models = subparsers.add_parser("models", help="list the model registry with parameter counts")
    models.set_defaults(handler=_list_models)
    model_bench = bench.add_parser("model", help="forward/train-step speed of one model")
    model_bench.add_argument("name")
    model_bench.add_argument("--batch-size", type=int, default=8)
    model_bench.add_argument("--steps", type=int, default=5, help="timed steps after one warm-up")
    model_bench.add_argument("--backend", choices=["tensorflow", "jax"], default=None,
                             help="Keras backend (default: KERAS_BACKEND or tensorflow)")
    add_override_argument(model_bench)
    model_bench.set_defaults(handler=_bench_model)
    layer_bench = bench.add_parser("layer", help="train step of the kit's ConvLSTM2D against keras.layers.ConvLSTM2D")
    layer_bench.add_argument("--configs", default="Q,A,B", help="comma-separated configurations (default Q,A,B)")
    layer_bench.add_argument("--precisions", default="float32,mixed_bfloat16",
                             help="comma-separated dtype policies (default float32,mixed_bfloat16)")
    layer_bench.add_argument("--rounds", type=int, default=7, help="timed interleaved rounds (default 7)")
    layer_bench.add_argument("--warmup", type=int, default=3, help="untimed steps per stack first (default 3)")
    layer_bench.set_defaults(handler=_bench_layer)


def _list_models(args):
    from framepred_tf.models.summary import print_registry

    print_registry()


def _bench_layer(args):
    from framepred_tf.models.layer_bench import run_layer_bench

    return run_layer_bench(args)


def _bench_model(args):
    from framepred_tf.models.bench import run_model_bench

    return run_model_bench(args)
