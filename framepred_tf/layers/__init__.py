"""The layer kit: ConvLSTM2D, LSTM, BilinearFlowWarp, MaskedConv2D, PreActResidualBlock.

Importing this package registers every layer with Keras (package ``framepred_tf``).
"""
from .bilinear_flow_warp import BilinearFlowWarp
from .conv_lstm_2d import ConvLSTM2D
from .flow_smoothness import flow_smoothness_penalty
from .lstm import LSTM, LSTMCell, batch_to_seq, seq_to_batch
from .masked_conv_2d import MaskedConv2D
from .pre_act_residual_block import PreActResidualBlock

__all__ = [
    "ConvLSTM2D",
    "LSTM",
    "LSTMCell",
    "batch_to_seq",
    "seq_to_batch",
    "BilinearFlowWarp",
    "MaskedConv2D",
    "PreActResidualBlock",
    "flow_smoothness_penalty",
]
