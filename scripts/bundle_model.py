"""Copy a trained model folder (a training run's ``best``/``final`` export) into the package.

    python scripts/bundle_model.py runs/bandnext-small-anyband-48k-gan/best bandnext-fullband-48k \
        --half --routing-priority 2

writes ``src/hf_audiosr/checkpoints/<name>/`` with the folder's ``config.json`` (plus the routing
fields given here), ``preprocessor_config.json``, ``training_recipe.json`` and ``model.safetensors``.
``--half`` stores the weights as float16 to halve the package (the config keeps ``dtype``
float32, so they load, and run, as float32); it refuses when rounding moves a weight by more than
``--max-relative-error`` of the tensor's largest value. The card (``README.md``) is rendered by
``scripts/render_model_cards.py`` from ``model_cards/<name>.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKPOINTS = ROOT / "src" / "hf_audiosr" / "checkpoints"
COPIED = ("preprocessor_config.json", "training_recipe.json")


def bundle(
    source: Path,
    name: str,
    *,
    half: bool = False,
    routing_priority: float | None = None,
    max_relative_error: float = 1e-3,
    checkpoints: Path = CHECKPOINTS,
) -> Path:
    """Bundle ``source`` as ``checkpoints/name``; returns the new folder."""
    import torch
    from safetensors.torch import load_file, save_file

    source = Path(source)
    for required in ("config.json", "model.safetensors", *COPIED):
        if not (source / required).is_file():
            raise SystemExit(f"{source}: no {required}; give a training run's best/ or final/")
    target = Path(checkpoints) / name
    target.mkdir(parents=True, exist_ok=True)
    config = json.loads((source / "config.json").read_text())
    if routing_priority is not None:
        config["routing_priority"] = routing_priority
    config["dtype"] = "float32"
    (target / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    for file in COPIED:
        shutil.copyfile(source / file, target / file)
    weights = load_file(str(source / "model.safetensors"))
    if half:
        rounded = {}
        for key, value in weights.items():
            if not value.is_floating_point():
                rounded[key] = value
                continue
            h = value.to(torch.float16)
            scale = float(value.abs().max()) or 1.0
            error = float((h.float() - value.float()).abs().max()) / scale
            if not torch.isfinite(h).all() or error > max_relative_error:
                raise SystemExit(
                    f"{key}: float16 moves it by {error:.2e} of its largest value "
                    f"(limit {max_relative_error:.0e}); bundle it without --half"
                )
            rounded[key] = h.contiguous()
        weights = rounded
    save_file(weights, str(target / "model.safetensors"), metadata={"format": "pt"})
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="model folder (config.json, model.safetensors)")
    parser.add_argument("name", help="the bundled short name")
    parser.add_argument("--half", action="store_true", help="store the weights as float16")
    parser.add_argument("--routing-priority", type=float, default=None)
    parser.add_argument("--max-relative-error", type=float, default=1e-3)
    args = parser.parse_args()
    target = bundle(
        args.source,
        args.name,
        half=args.half,
        routing_priority=args.routing_priority,
        max_relative_error=args.max_relative_error,
    )
    size = (target / "model.safetensors").stat().st_size / 2**20
    print(f"bundled {args.source} as {target} ({size:.1f} MiB of weights)")


if __name__ == "__main__":
    main()
