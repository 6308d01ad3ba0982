"""``framepred-tf bench data`` and ``framepred-tf index-frames``."""


def register(subparsers, bench):
    data_bench = bench.add_parser("data", help="Moving MNIST generation speed (sequences/s)")
    data_bench.add_argument("--sequences", type=int, default=2000, help="sequences per timed run (default 2000)")
    data_bench.add_argument("--digits", default="mnist5k", help="digit source (default mnist5k)")
    data_bench.add_argument("--num-digits", type=int, default=2, help="digits per sequence, 1-4 (default 2)")
    data_bench.add_argument("--repeats", type=int, default=3, help="timed runs after the warm-up; best counts")
    data_bench.add_argument("--threads", type=int, default=None, help="numba threads (default: all cores)")
    data_bench.add_argument("--mnist-npz", default=None, help="mnist.npz path for --digits mnist")
    data_bench.set_defaults(handler=_bench_data)

    index = subparsers.add_parser("index-frames", help="index image-frame clips into fixed-length sequences")
    index.add_argument("directory", help="folder with one sub-folder of frames per clip (or a flat folder of frames)")
    index.add_argument("--seq-len", type=int, default=17, help="frames per sequence (default 17: 16 in, 1 out)")
    index.add_argument("--stride", type=int, default=1, help="frames between window starts (default 1)")
    index.add_argument("--skip-bad", action="store_true",
                       help="skip short clips and unreadable frames instead of failing")
    index.add_argument("--no-verify", action="store_true", help="do not decode every frame while indexing")
    index.add_argument("--out", required=True, help="index file to write (TAB-separated paths, one sequence per line)")
    index.set_defaults(handler=_index_frames)


def _bench_data(args):
    from framepred_tf.data.bench import run_data_bench

    run_data_bench(sequences=args.sequences, digits=args.digits, num_digits=args.num_digits, repeats=args.repeats,
                   threads=args.threads, npz=args.mnist_npz if args.digits == "mnist" else None)


def _index_frames(args):
    from framepred_tf.data.frames import scan_frames, write_index

    index = scan_frames(args.directory, seq_len=args.seq_len, stride=args.stride, skip_bad=args.skip_bad,
                        verify=not args.no_verify)
    write_index(args.out, index.sequences)
    print(f"{args.out}: {index.summary()}")
