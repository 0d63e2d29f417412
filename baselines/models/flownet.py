"""FlowNetS (Dosovitskiy et al. 2015) and the variants built on its encoder-decoder.

One class, :class:`FlowNetEncoderDecoder`, with the encoder's kernel sizes and strides as
parameters: FlowNetS, StrainNet-f and the seed paper's FlowNetSD differ only in those.

* **FlowNetS**: kernels 7, 5, 5 then 3; strides 2, 2, 2, 1, 2, 1, 2, 1, 2, 1. Its finest flow
  is at 1/4 resolution, upsampled bilinearly to full size. 38.66 M parameters with two
  single-channel images as input (38.68 M with two RGB images).
* **StrainNet-f** (Boukhtache et al. 2021): FlowNetS with stride 1 in conv1 and conv2, so the
  finest flow is at full resolution; same parameter count.
* **FlowNetSD, as the seed paper describes it**: only 3 x 3 kernels, 10 contracting
  convolutions, full-resolution output, about 38 M parameters (here 38.02 M). NVIDIA's FlowNet
  2.0 FlowNetSD (Ilg et al. 2017) is another network: 13 convolutions (conv0, conv1, conv1_1,
  ...), 45.4 M parameters and a 1/4-resolution output; the seed paper's numbers are followed.

The decoder (4 transposed convolutions, flows predicted at every scale, each upsampled and
concatenated with the encoder's features) is FlowNetS's. Displacements are in pixels of the
input at every scale (targets are area-averaged, not rescaled). Convolutions are
Kaiming-initialised (as in FlowNetPytorch) except the flow predictors, scaled down 100x.

References
----------
.. [1] Dosovitskiy, A. et al. (2015). FlowNet: Learning optical flow with convolutional
       networks. ICCV, 2758-2766. https://doi.org/10.1109/ICCV.2015.316
.. [2] Ilg, E. et al. (2017). FlowNet 2.0: Evolution of optical flow estimation with deep
       networks. CVPR, 2462-2470. https://doi.org/10.1109/CVPR.2017.179
.. [3] Boukhtache, S. et al. (2021). When deep learning meets digital image correlation.
       Optics and Lasers in Engineering 136, 106308.
       https://doi.org/10.1016/j.optlaseng.2020.106308
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from baselines.models.layers import conv, deconv, predict_flow, upsample_flow

ENCODER_CHANNELS = (64, 128, 256, 256, 512, 512, 512, 512, 1024, 1024)
"""Output channels of conv1, conv2, conv3, conv3_1, conv4, conv4_1, conv5, conv5_1, conv6,
conv6_1."""

PREDICTOR_INIT_SCALE = 0.01
"""Factor on the Kaiming initialisation of the flow predictors (about 0.01 px at the start)."""


class FlowNetEncoderDecoder(nn.Module):
    """A FlowNetS-style network mapping an image pair to its displacement field.

    Parameters
    ----------
    kernels : sequence of 10 int
        Kernel sizes of the ten encoder convolutions.
    strides : sequence of 10 int
        Their strides (five of them 2, or more for a coarser output).
    in_channels : int
        Channels of the stacked input (2: two single-channel images).

    Notes
    -----
    In training mode ``forward`` returns the flows at every scale, finest first (for the
    multiscale loss); in eval mode the full-resolution displacement ``[B, 2, H, W]``. ``H`` and
    ``W`` must be multiples of 64.
    """

    def __init__(self, kernels, strides, in_channels: int = 2) -> None:
        super().__init__()
        channels = (in_channels, *ENCODER_CHANNELS)
        self.encoder = nn.ModuleList(
            conv(channels[i], channels[i + 1], kernels[i], strides[i]) for i in range(10)
        )
        # Skip connections come from conv5_1, conv4_1, conv3_1 and conv2 (FlowNetS).
        self.skips = (7, 5, 3, 1)
        self.deconvs = nn.ModuleList(
            [deconv(1024, 512), deconv(1026, 256), deconv(770, 128), deconv(386, 64)]
        )
        self.predictors = nn.ModuleList(predict_flow(c) for c in (1024, 1026, 770, 386, 194))
        self.upsamplers = nn.ModuleList(upsample_flow() for _ in range(4))
        self.output_stride = strides[0] * strides[1]
        for module in self.modules():
            if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.kaiming_normal_(module.weight, a=0.1)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
        # Kaiming-initialised predictors start at ~1 px of noise, ten times the sub-pixel
        # targets; scaled down, the network starts near the zero-displacement baseline (and
        # not at zero, so that gradients reach the encoder). This holds at step 0 only: the
        # first AdamW steps move the output by about 0.06 px RMS whatever the scale.
        with torch.no_grad():
            for predictor in self.predictors:
                predictor.weight.mul_(PREDICTOR_INIT_SCALE)

    def forward(self, x: torch.Tensor) -> torch.Tensor | list[torch.Tensor]:
        features = []
        # The pair and the first convolution stay float32 under autocast: in bfloat16 the
        # difference of the two images, which is the signal, would be rounded away.
        with torch.autocast(x.device.type, enabled=False):
            x = self.encoder[0](x.float())
        features.append(x)
        for layer in self.encoder[1:]:
            x = layer(x)
            features.append(x)
        flows = [self.predictors[0](x)]
        for level, skip in enumerate(self.skips):
            up_flow = self.upsamplers[level](flows[-1])
            up_features = self.deconvs[level](x)
            x = torch.cat([features[skip], up_features, up_flow], dim=1)
            flows.append(self.predictors[level + 1](x))
        flows = flows[::-1]  # finest first
        if self.training:
            return flows
        finest = flows[0]
        if self.output_stride == 1:
            return finest
        return F.interpolate(
            finest, scale_factor=self.output_stride, mode="bilinear", align_corners=False
        )


def flownets(in_channels: int = 2) -> FlowNetEncoderDecoder:
    """FlowNetS: 1/4-resolution flow, bilinearly upsampled."""
    return FlowNetEncoderDecoder(
        (7, 5, 5, 3, 3, 3, 3, 3, 3, 3), (2, 2, 2, 1, 2, 1, 2, 1, 2, 1), in_channels
    )


def strainnet(in_channels: int = 2) -> FlowNetEncoderDecoder:
    """StrainNet-f: FlowNetS with stride 1 in conv1 and conv2 (full-resolution flow)."""
    return FlowNetEncoderDecoder(
        (7, 5, 5, 3, 3, 3, 3, 3, 3, 3), (1, 1, 2, 1, 2, 1, 2, 1, 2, 1), in_channels
    )


def flownetsd(in_channels: int = 2) -> FlowNetEncoderDecoder:
    """FlowNetSD as the seed paper describes it: 3 x 3 kernels only, full-resolution flow."""
    return FlowNetEncoderDecoder((3,) * 10, (1, 1, 2, 1, 2, 1, 2, 1, 2, 1), in_channels)
