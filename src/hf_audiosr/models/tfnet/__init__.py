from .configuration_tfnet import TFNET_PRESETS, TFNetConfig
from .modeling_tfnet import (
    TFNetForAudioSuperResolution,
    TFNetPreTrainedModel,
    TFNetSpectralBranch,
    TFNetSpectralFusion,
    TFNetSTFT,
    TFNetTimeBranch,
    TFNetUNet,
)

__all__ = [
    "TFNET_PRESETS",
    "TFNetConfig",
    "TFNetForAudioSuperResolution",
    "TFNetPreTrainedModel",
    "TFNetSTFT",
    "TFNetSpectralBranch",
    "TFNetSpectralFusion",
    "TFNetTimeBranch",
    "TFNetUNet",
]
