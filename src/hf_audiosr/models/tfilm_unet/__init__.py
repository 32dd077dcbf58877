from .configuration_tfilm_unet import TFILM_UNET_PRESETS, TFiLMUNetConfig
from .modeling_tfilm_unet import (
    TFiLMUNetBackbone,
    TFiLMUNetForAudioSuperResolution,
    TFiLMUNetPreTrainedModel,
    TFiLMUNetTFiLMLayer,
)

__all__ = [
    "TFILM_UNET_PRESETS",
    "TFiLMUNetBackbone",
    "TFiLMUNetConfig",
    "TFiLMUNetForAudioSuperResolution",
    "TFiLMUNetPreTrainedModel",
    "TFiLMUNetTFiLMLayer",
]
