"""Publishing a model folder (weights, config, feature extractor, card) to the Hugging Face Hub."""

from __future__ import annotations

import os
import re
from pathlib import Path

REQUIRED_FILES = ("config.json", "model.safetensors", "preprocessor_config.json")
UPLOADED_FILES = REQUIRED_FILES + ("README.md", "training_recipe.json")
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".ckpt")
_REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")


class PushError(ValueError):
    """The folder or repo id is not fit to publish; the message says why."""


def check_model_folder(model_dir: str | os.PathLike) -> list[Path]:
    """The files to upload; raises :class:`PushError` if a required one is missing, the folder
    holds pickled weights, or the weights do not load with the config."""
    folder = Path(model_dir)
    if not folder.is_dir():
        raise PushError(f"{folder}: not a folder")
    missing = [f for f in REQUIRED_FILES if not (folder / f).is_file()]
    if missing:
        raise PushError(f"{folder}: missing {', '.join(missing)} (save with save_pretrained first)")
    pickled = [p.name for p in folder.iterdir() if p.suffix in PICKLE_SUFFIXES]
    if pickled:
        raise PushError(f"{folder}: refusing to publish pickled files {pickled}; use safetensors")
    if not (folder / "README.md").is_file():
        raise PushError(
            f"{folder}: no README.md model card (render one with scripts/render_model_cards.py)"
        )
    from .loading import load_model

    try:
        load_model(folder)
    except Exception as err:  # any failure to load means the folder is broken
        raise PushError(f"{folder}: the weights do not load with the config ({err})") from err
    return [folder / f for f in UPLOADED_FILES if (folder / f).is_file()]


def push_model(
    model_dir: str | os.PathLike,
    repo_id: str,
    *,
    private: bool = False,
    token: str | None = None,
    commit_message: str = "Upload hf-audiosr model",
    api=None,
) -> str:
    """Create (or reuse) ``repo_id`` and upload the model folder in one commit; returns the URL."""
    if not _REPO_ID.match(repo_id):
        raise PushError(f"repo id must look like 'owner/name', got {repo_id!r}")
    files = check_model_folder(model_dir)
    if api is None:
        from huggingface_hub import HfApi

        api = HfApi(token=token)
    from huggingface_hub import CommitOperationAdd

    repo = api.create_repo(repo_id, repo_type="model", private=private, exist_ok=True)
    operations = [CommitOperationAdd(path_in_repo=f.name, path_or_fileobj=str(f)) for f in files]
    api.create_commit(
        repo_id, operations=operations, commit_message=commit_message, repo_type="model"
    )
    return str(getattr(repo, "url", f"https://huggingface.co/{repo_id}"))
