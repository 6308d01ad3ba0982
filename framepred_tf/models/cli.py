"""``framepred-tf models`` and ``framepred-tf bench model``."""


def register(subparsers, bench):
    models = subparsers.add_parser("models", help="list the model registry with parameter counts")
    models.set_defaults(handler=_list_models)
    model_bench = bench.add_parser("model", help="forward/train-step speed of one model")
    model_bench.add_argument("name")
    model_bench.add_argument("--batch-size", type=int, default=8)
    model_bench.add_argument("--steps", type=int, default=5, help="timed steps after one warm-up")
    model_bench.add_argument("--backend", choices=["tensorflow", "jax"], default=None,
                             help="Keras backend (default: KERAS_BACKEND or tensorflow)")
    model_bench.add_argument("--override", action="append", default=[], metavar="KEY=VALUE",
                             help="model override, e.g. --override filters=[8,8,8]")
    model_bench.set_defaults(handler=_bench_model)


def _list_models(args):
    from framepred_tf.models.summary import print_registry

    print_registry()


def _bench_model(args):
    from framepred_tf.models.bench import run_model_bench

    return run_model_bench(args)
