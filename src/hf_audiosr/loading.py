"""Loading models by bundled short name, local folder or Hub id, and the convenience pipeline."""

from __future__ import annotations

from pathlib import Path

from .bundled import resolve_model
from .feature_extraction_audiosr import AudioSRFeatureExtractor
from .registration import TASK


def load_model(name_or_path: str | Path | None = None, **kwargs):
    """Load any hf-audiosr model (bundled short name, folder, or Hub id) from safetensors only."""
    from transformers import AutoModel

    return AutoModel.from_pretrained(resolve_model(name_or_path), use_safetensors=True, **kwargs)


def load_feature_extractor(
    name_or_path: str | Path | None = None, config=None
) -> AudioSRFeatureExtractor:
    """The model's feature extractor; rebuilt from its config when the folder has none."""
    resolved = resolve_model(name_or_path)
    folder = Path(resolved)
    if folder.is_dir() and not (folder / "preprocessor_config.json").is_file():
        if config is None:
            from transformers import AutoConfig

            config = AutoConfig.from_pretrained(resolved)
        return AudioSRFeatureExtractor(
            sampling_rate=config.input_sampling_rate,
            output_sampling_rate=config.output_sampling_rate,
            interpolation=getattr(config, "interpolation", "sinc"),
        )
    return AudioSRFeatureExtractor.from_pretrained(resolved)


def pipeline(model=None, **kwargs):
    """``transformers.pipeline("audio-super-resolution", ...)`` that also takes bundled short names.

    ``model`` may be ``None`` (the bundled default), a bundled name (see ``hf-audiosr models``), a
    local folder, a Hub id, or an already-loaded model.
    """
    from transformers import pipeline as hf_pipeline

    if model is None or isinstance(model, (str, Path)):
        loaded = load_model(model, dtype=kwargs.pop("dtype", None))
        feature_extractor = kwargs.pop("feature_extractor", None) or load_feature_extractor(
            model, loaded.config
        )
        return hf_pipeline(TASK, model=loaded, feature_extractor=feature_extractor, **kwargs)
    return hf_pipeline(TASK, model=model, **kwargs)
