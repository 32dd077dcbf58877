from .configuration_audiounet import AUDIOUNET_PRESETS, AudioUNetConfig
from .modeling_audiounet import AudioUNetForAudioSuperResolution, AudioUNetPreTrainedModel

__all__ = [
    "AUDIOUNET_PRESETS",
    "AudioUNetConfig",
    "AudioUNetForAudioSuperResolution",
    "AudioUNetPreTrainedModel",
]
