"""Registration with the transformers Auto classes and pipeline registry."""

from __future__ import annotations

import functools
from pathlib import Path

from transformers import AutoConfig, AutoFeatureExtractor, AutoModel
from transformers.pipelines import PIPELINE_REGISTRY

from .bundled import AUTO, bundled_models, default_model_path
from .feature_extraction_audiosr import AudioSRFeatureExtractor
from .loading import TASK, StrictAutoModel
from .models import ARCHITECTURES


def register() -> None:
    """Register every architecture and the pipeline; safe to call more than once."""
    for config_class, model_class, _ in ARCHITECTURES.values():
        AutoConfig.register(config_class.model_type, config_class, exist_ok=True)
        AutoModel.register(config_class, model_class, exist_ok=True)
        AutoFeatureExtractor.register(config_class, AudioSRFeatureExtractor, exist_ok=True)
    if TASK not in PIPELINE_REGISTRY.get_supported_tasks():
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
    _wrap_transformers_pipeline()


def resolve_pipeline_model(task, model, kwargs: dict):
    """What ``transformers.pipeline`` should get for ``model`` in our task: a bundled short name
    becomes its folder (transformers would look it up on the Hub), and ``None`` or ``"auto"``
    the bundled default with ``auto_route=True``. Anything else is left alone."""
    if task != TASK or not (model is None or isinstance(model, (str, Path))):
        return model
    if model is None or str(model) == AUTO:
        kwargs.setdefault("auto_route", True)
        return str(default_model_path())
    models = bundled_models()
    return str(models[str(model)]) if str(model) in models else model


def _wrap_transformers_pipeline() -> None:
    """Make ``transformers.pipeline("audio-super-resolution", model=<short name>)`` load the
    bundled model offline, as :func:`hf_audiosr.pipeline` does, and make ``"auto"`` (and no
    model) route each input (:func:`resolve_pipeline_model`). Every other task goes to
    transformers' own function untouched. Applies to ``transformers.pipeline`` looked up after
    ``import hf_audiosr``."""
    import transformers
    import transformers.pipelines

    original = transformers.pipelines.pipeline
    if getattr(original, "__hf_audiosr__", False):
        return

    @functools.wraps(original)
    def pipeline(task=None, model=None, *args, **kwargs):
        model = resolve_pipeline_model(task, model, kwargs)
        return original(task, model, *args, **kwargs)

    pipeline.__hf_audiosr__ = True
    transformers.pipelines.pipeline = pipeline
    transformers.pipeline = pipeline


__all__ = ["TASK", "register", "resolve_pipeline_model"]
