"""The layer kit: ConvLSTM2D, LSTM, BilinearFlowWarp, MaskedConv2D, PreActResidualBlock."""
