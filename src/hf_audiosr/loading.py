"""Loading models by bundled short name, local folder or Hub id, and the convenience pipeline."""

from __future__ import annotations

from pathlib import Path

from transformers import AutoModel

from .bundled import AUTO, resolve_model
from .cpu import resolve_dtype
from .feature_extraction_audiosr import AudioSRFeatureExtractor

TASK = "audio-super-resolution"


def load_model(name_or_path: str | Path | None = None, **kwargs):
    """Load any hf-audiosr model (bundled short name, folder, or Hub id) from safetensors only.

    Loading is strict: a config that is not an hf-audiosr architecture, an unreadable
    ``model.safetensors``, or weights that do not match the config (missing, unexpected or
    differently shaped tensors, which transformers would otherwise re-initialise at random) raise
    a ``ValueError`` naming the folder.
    """
    from safetensors import SafetensorError
    from transformers import AutoConfig

    from .models import ARCHITECTURES

    resolved = resolve_model(name_or_path)
    hub_kwargs = {k: kwargs[k] for k in _HUB_KWARGS if k in kwargs}
    config = kwargs.pop("config", None) or AutoConfig.from_pretrained(resolved, **hub_kwargs)
    config_classes = tuple(c for c, _, _ in ARCHITECTURES.values())
    if not isinstance(config, config_classes):
        raise ValueError(
            f"{resolved}: model_type {getattr(config, 'model_type', None)!r} is not an hf-audiosr "
            f"architecture ({', '.join(c.model_type for c in config_classes)})"
        )
    kwargs.setdefault("ignore_mismatched_sizes", True)
    try:
        model, info = AutoModel.from_pretrained(
            resolved, config=config, use_safetensors=True, output_loading_info=True, **kwargs
        )
    except SafetensorError as err:
        raise ValueError(
            f"{resolved}: model.safetensors is not a readable safetensors file ({err})"
        ) from err
    problems = []
    if info["mismatched_keys"]:
        key, ckpt, expected = sorted(info["mismatched_keys"], key=str)[0]
        problems.append(
            f"{len(info['mismatched_keys'])} tensor(s) of the wrong shape (e.g. {key}: "
            f"{tuple(ckpt)} in the checkpoint, {tuple(expected)} from config.json)"
        )
    for kind in ("missing_keys", "unexpected_keys"):
        if info[kind]:
            problems.append(
                f"{len(info[kind])} {kind.replace('_', ' ')} (e.g. {sorted(info[kind])[0]})"
            )
    if problems:
        raise ValueError(
            f"{resolved}: model.safetensors does not match config.json: " + "; ".join(problems)
        )
    return model


_HUB_KWARGS = (
    "revision",
    "token",
    "cache_dir",
    "local_files_only",
    "force_download",
    "_commit_hash",
)


class StrictAutoModel(AutoModel):
    """``AutoModel`` whose ``from_pretrained`` is :func:`load_model`: safetensors only, and weights
    that do not match the config raise instead of being re-initialised at random.

    The ``audio-super-resolution`` pipeline task is registered with this class, so
    ``transformers.pipeline("audio-super-resolution", model=folder_or_hub_id)`` is as strict as
    :func:`pipeline` (transformers reports the ``ValueError`` inside its "Could not load model"
    error). Its model mapping is ``AutoModel``'s.
    """

    @classmethod
    def from_pretrained(cls, pretrained_model_name_or_path, *model_args, **kwargs):
        if model_args:
            raise TypeError(f"{cls.__name__}.from_pretrained takes no positional model arguments")
        if kwargs.get("dtype") is not None:  # bf16 only where it is native (no device known here)
            kwargs["dtype"] = resolve_dtype(kwargs["dtype"])
        return load_model(pretrained_model_name_or_path, **kwargs)


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


def pipeline(model=AUTO, **kwargs):
    """``transformers.pipeline("audio-super-resolution", ...)`` that also takes bundled short names.

    ``model`` may be ``"auto"`` (the default, also ``None``: each input goes to the bundled model
    that fits its measured band, see :mod:`hf_audiosr.routing`), a bundled name (see
    ``hf-audiosr models``), a local folder, a Hub id, or an already-loaded model.
    ``dtype=torch.bfloat16`` is used only where it runs natively: on a CPU without bf16
    instructions the model runs in fp32, with a warning (see :func:`hf_audiosr.cpu.resolve_dtype`).
    """
    from transformers import pipeline as hf_pipeline

    if kwargs.get("dtype") is not None:
        kwargs["dtype"] = resolve_dtype(kwargs["dtype"], kwargs.get("device"))
    if model is None or (isinstance(model, str) and model == AUTO):
        kwargs.setdefault("auto_route", True)
        model = None
    if model is None or isinstance(model, (str, Path)):
        loaded = load_model(model, dtype=kwargs.pop("dtype", None))
        feature_extractor = kwargs.pop("feature_extractor", None) or load_feature_extractor(
            model, loaded.config
        )
        return _original_pipeline(hf_pipeline)(
            TASK, model=loaded, feature_extractor=feature_extractor, **kwargs
        )
    return _original_pipeline(hf_pipeline)(TASK, model=model, **kwargs)


def _original_pipeline(function):
    """transformers' own ``pipeline`` under the wrapper :func:`hf_audiosr.registration.register`
    puts around it."""
    return getattr(function, "__wrapped__", function)
