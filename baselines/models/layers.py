"""Building blocks shared by the FlowNet-family networks (as in FlowNetPytorch / StrainNet)."""

from __future__ import annotations

from torch import nn


def conv(in_channels: int, out_channels: int, kernel: int = 3, stride: int = 1) -> nn.Sequential:
    """Convolution with 'same' padding and a LeakyReLU(0.1), the FlowNet encoder layer."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel, stride, padding=(kernel - 1) // 2, bias=True),
        nn.LeakyReLU(0.1, inplace=True),
    )


def deconv(in_channels: int, out_channels: int) -> nn.Sequential:
    """Transposed 4 x 4 convolution doubling the resolution, and a LeakyReLU(0.1)."""
    return nn.Sequential(
        nn.ConvTranspose2d(in_channels, out_channels, 4, 2, 1, bias=False),
        nn.LeakyReLU(0.1, inplace=True),
    )


def predict_flow(in_channels: int) -> nn.Conv2d:
    """3 x 3 convolution to the two displacement channels."""
    return nn.Conv2d(in_channels, 2, 3, 1, 1, bias=False)


def upsample_flow() -> nn.ConvTranspose2d:
    """Learned 2x upsampling of a displacement field (a 4 x 4 transposed convolution)."""
    return nn.ConvTranspose2d(2, 2, 4, 2, 1, bias=False)
