"""Every model shipped in the package loads, runs, has a card, and beats interpolation."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import yaml

import hf_audiosr
from hf_audiosr.bundled import bundled_models
from hf_audiosr.dsp import degrade, interpolate
from hf_audiosr.metrics import lsd

CLIP = (
    Path(__file__).resolve().parents[1].parent
    / "shared/data/eval/ap-bwe_vctk_peers/BWE_16k/8kto16k/wideband.flac"
)
NAMES = sorted(bundled_models())


def test_the_default_model_is_bundled():
    assert hf_audiosr.DEFAULT_MODEL in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_bundled_model_has_weights_card_and_recipe(name):
    folder = bundled_models()[name]
    assert (folder / "model.safetensors").stat().st_size < 8 * 2**20  # a few MB at most
    assert not list(folder.glob("*.bin")) and not list(folder.glob("*.pt"))
    card = (folder / "README.md").read_text()
    header = yaml.safe_load(card.split("---")[1])
    assert header["pipeline_tag"] == "audio-to-audio" and header["license"]
    assert header["model-index"][0]["results"], "the card reports no evaluation"
    assert (folder / "training_recipe.json").is_file()


@pytest.mark.parametrize("name", NAMES)
def test_bundled_model_beats_interpolation_on_held_out_speech(name):
    if not CLIP.is_file():
        pytest.skip(f"evaluation clip not found at {CLIP}")
    ref, sr = sf.read(CLIP, dtype="float64")
    low = degrade(ref, sr, 8000, "sinc")
    out = hf_audiosr.pipeline(name)(low.astype(np.float32), sampling_rate=8000)
    assert out["sampling_rate"] == 16000 and out["audio"].shape == ref.shape
    cubic = lsd(ref, interpolate(low, 2, "cubic"))
    assert lsd(ref, out["audio"].astype(np.float64)) < 0.75 * cubic
