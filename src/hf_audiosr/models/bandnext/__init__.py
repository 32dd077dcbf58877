from .configuration_bandnext import BANDNEXT_PRESETS, BandNeXtConfig
from .modeling_bandnext import (
    BandNeXtAmplitudeHead,
    BandNeXtBlock,
    BandNeXtCutoffEmbedding,
    BandNeXtForAudioSuperResolution,
    BandNeXtNetwork,
    BandNeXtOutput,
    BandNeXtPhaseHead,
    BandNeXtPreTrainedModel,
    BandNeXtSTFT,
)

__all__ = [
    "BANDNEXT_PRESETS",
    "BandNeXtAmplitudeHead",
    "BandNeXtBlock",
    "BandNeXtConfig",
    "BandNeXtCutoffEmbedding",
    "BandNeXtForAudioSuperResolution",
    "BandNeXtNetwork",
    "BandNeXtOutput",
    "BandNeXtPhaseHead",
    "BandNeXtPreTrainedModel",
    "BandNeXtSTFT",
]
