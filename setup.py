"""framepred-tf: a Keras 3 model zoo for learning motion from image sequences."""
from setuptools import find_packages, setup

setup(
    name="framepred-tf",
    version="0.1.0",
    description=(
        "Video frame prediction (ConvLSTM, Spatio-Temporal autoencoder, Video Pixel "
        "Network, encoder-forecaster, CNN+LSTM), their evaluation, and VQA baselines "
        "in Keras 3"
    ),
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    packages=find_packages(include=["framepred_tf", "framepred_tf.*", "experiments"]),
    package_data={"framepred_tf.evaluation": ["*.json"], "framepred_tf": ["pretrained/*.json", "pretrained/*.keras"]},
    install_requires=[
        "keras>=3.3",
        "tensorflow-cpu>=2.16",
        "tensorflow-datasets>=4.9",
        "tensorboard>=2.16",  # run directories keep TensorBoard logs
        "numpy>=1.26",
        "scipy>=1.10",
        "matplotlib>=3.7",
        "mlxtend>=0.23",
        "numba>=0.59",
        "pillow>=10.0",
        "scikit-image>=0.22",
        # framepred-tf rl: Atari with ROMs bundled and a native vector env (imported lazily).
        "ale-py>=0.12",
        "gymnasium>=1.1",
    ],
    extras_require={
        # CUDA hosts: the full TensorFlow wheel (pip does not treat tensorflow-cpu as tensorflow).
        "gpu": ["tensorflow[and-cuda]>=2.16"],
        "jax": ["jax>=0.4.30"],
        "test": ["pytest>=7.0"],
    },
    entry_points={"console_scripts": ["framepred-tf=framepred_tf.cli:main"]},
)
