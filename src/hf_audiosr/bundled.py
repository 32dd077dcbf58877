"""Models shipped inside the package, reachable by short name, and model-name resolution."""

from __future__ import annotations

import json
import re
from pathlib import Path

CHECKPOINT_DIR = Path(__file__).parent / "checkpoints"
DEFAULT_MODEL = "audiounet-speech-8k-16k"
# The model name that routes each input to the bundled model fitting its band (hf_audiosr.routing);
# it loads DEFAULT_MODEL as the pipeline's own model.
AUTO = "auto"
EXAMPLE_AUDIO = Path(__file__).parent / "examples" / "p228_008_8k.flac"

_HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$")


class ModelNotFoundError(ValueError):
    """A model name is neither bundled, nor a local model folder, nor a valid Hub id."""


def bundled_models() -> dict[str, Path]:
    """Short name -> folder of every model bundled with the package."""
    if not CHECKPOINT_DIR.is_dir():
        return {}
    return {
        p.name: p
        for p in sorted(CHECKPOINT_DIR.iterdir())
        if p.is_dir() and (p / "config.json").is_file() and (p / "model.safetensors").is_file()
    }


def default_model_path() -> Path:
    return CHECKPOINT_DIR / DEFAULT_MODEL


def resolve_model(name_or_path: str | Path | None) -> str:
    """Bundled short name, local model folder or Hub id -> what ``from_pretrained`` should get.

    Only three things are accepted, so a model name can never be used to read an arbitrary file:
    a bundled name, an existing folder holding ``config.json``, or a string shaped like a Hub id
    (``name`` or ``owner/name``).
    """
    if name_or_path is None or str(name_or_path) == AUTO:
        name_or_path = DEFAULT_MODEL
    name = str(name_or_path)
    models = bundled_models()
    if name in models:
        return str(models[name])
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelNotFoundError(
                f"{name}: folder has no config.json, so it is not a saved model"
            )
        return str(path)
    if path.exists():
        raise ModelNotFoundError(f"{name}: is a file; give the model's folder (with config.json)")
    if not _HUB_ID.match(name) or ".." in name:
        raise ModelNotFoundError(
            f"unknown model {name!r}: not a bundled model ({', '.join(models) or 'none installed'}), "
            "not a local model folder, and not a Hub id like 'owner/name'"
        )
    return name


def recipe_total_steps(path: Path, _depth: int = 0) -> int | None:
    """All the training steps behind the model in ``path``: its recipe's ``total_steps``, or (for
    recipes written before that field) its ``step`` plus the total of the model it was
    fine-tuned from (``args.init_from``), when that model can still be found. None if unknown."""
    recipe_file = Path(path) / "training_recipe.json"
    if not recipe_file.is_file() or _depth > 16:
        return None
    recipe = json.loads(recipe_file.read_text())
    if "total_steps" in recipe:
        total = recipe["total_steps"]
        return None if total is None else int(total)
    step = recipe.get("step")
    init_from = recipe.get("args", {}).get("init_from")
    if step is None or not init_from:
        return step
    try:
        before = recipe_total_steps(Path(resolve_model(init_from)), _depth + 1)
    except ModelNotFoundError:
        return None
    return None if before is None else step + before


def model_summary(name: str, path: Path) -> dict:
    """What ``hf-audiosr models`` shows for one bundled model."""
    config = json.loads((path / "config.json").read_text())
    recipe_file = path / "training_recipe.json"
    recipe = json.loads(recipe_file.read_text()) if recipe_file.is_file() else {}
    args = recipe.get("args", {})
    return {
        "name": name,
        "architecture": config.get("model_type"),
        "preset": config.get("preset"),
        # a model for any input band (BandNeXt) stores one ``sampling_rate``: it runs there
        "input_sampling_rate": config.get("input_sampling_rate") or config.get("sampling_rate"),
        "output_sampling_rate": config.get("output_sampling_rate") or config.get("sampling_rate"),
        "num_parameters": recipe.get("num_parameters"),
        "size_mb": round((path / "model.safetensors").stat().st_size / 2**20, 2),
        "training": {
            "description": args.get("description", ""),
            "steps": recipe.get("step"),
            "total_steps": recipe_total_steps(path),
            "init_from": args.get("init_from"),
            "max_steps": args.get("max_steps"),
            "batch_size": args.get("batch_size"),
            "train_minutes": recipe.get("train_corpus_minutes"),
            "degradations": {k: args.get(f"degradation_{k}") for k in ("sinc", "cheby", "fft")},
            "validation": recipe.get("metrics", {}),
        },
        "path": str(path),
    }
