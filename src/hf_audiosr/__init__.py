"""hf-audiosr: neural audio super-resolution for the Hugging Face ecosystem.

Importing the package registers its configs, models and feature extractor with the transformers
Auto classes and the ``"audio-super-resolution"`` pipeline task (once; nothing else happens at
import time).
"""

from .band_replacement import replace_low_band
from .bandwidth import BandwidthEstimate, estimate_bandwidth
from .feature_extraction_audiosr import AudioSRFeatureExtractor
from .modeling_outputs import AudioSuperResolutionOutput
from .models import ARCHITECTURES, AudioUNetConfig, AudioUNetForAudioSuperResolution
from .registration import register

register()

from .bundled import DEFAULT_MODEL, EXAMPLE_AUDIO, bundled_models  # noqa: E402
from .loading import load_feature_extractor, load_model, pipeline  # noqa: E402
from .routing import choose_model  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "ARCHITECTURES",
    "AudioSRFeatureExtractor",
    "AudioSuperResolutionOutput",
    "AudioUNetConfig",
    "AudioUNetForAudioSuperResolution",
    "BandwidthEstimate",
    "DEFAULT_MODEL",
    "EXAMPLE_AUDIO",
    "__version__",
    "bundled_models",
    "choose_model",
    "estimate_bandwidth",
    "load_feature_extractor",
    "load_model",
    "pipeline",
    "replace_low_band",
]
