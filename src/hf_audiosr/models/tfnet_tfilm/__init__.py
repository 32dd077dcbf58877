from .configuration_tfnet_tfilm import TFNET_TFILM_PRESETS, TFNetTFiLMConfig
from .modeling_tfnet_tfilm import TFNetTFiLMForAudioSuperResolution, TFNetTFiLMPreTrainedModel

__all__ = [
    "TFNET_TFILM_PRESETS",
    "TFNetTFiLMConfig",
    "TFNetTFiLMForAudioSuperResolution",
    "TFNetTFiLMPreTrainedModel",
]
