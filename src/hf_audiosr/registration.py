"""Registration with the transformers Auto classes and pipeline registry."""

from __future__ import annotations

from transformers import AutoConfig, AutoFeatureExtractor, AutoModel
from transformers.pipelines import PIPELINE_REGISTRY

from .bundled import default_model_path
from .feature_extraction_audiosr import AudioSRFeatureExtractor
from .models import ARCHITECTURES

TASK = "audio-super-resolution"


def register() -> None:
    """Register every architecture and the pipeline; safe to call more than once."""
    for config_class, model_class, _ in ARCHITECTURES.values():
        AutoConfig.register(config_class.model_type, config_class, exist_ok=True)
        AutoModel.register(config_class, model_class, exist_ok=True)
        AutoFeatureExtractor.register(config_class, AudioSRFeatureExtractor, exist_ok=True)
    if TASK not in PIPELINE_REGISTRY.get_supported_tasks():
        from .loading import StrictAutoModel
        from .pipeline_audio_super_resolution import AudioSuperResolutionPipeline

        # Strict loading: weights that do not match the config raise (plain AutoModel would only
        # warn and re-initialise them at random).
        PIPELINE_REGISTRY.register_pipeline(
            TASK,
            pipeline_class=AudioSuperResolutionPipeline,
            pt_model=StrictAutoModel,
            default={"model": (str(default_model_path()), None)},
            type="audio",
        )
