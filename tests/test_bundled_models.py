"""Every model shipped in the package loads, runs, has a card, and beats interpolation."""

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import yaml

import hf_audiosr
from hf_audiosr.bundled import bundled_models
from hf_audiosr.dsp import degrade, interpolate
from hf_audiosr.metrics import lsd

EVAL = Path(__file__).resolve().parents[1].parent / "shared/data/eval/ap-bwe_vctk_peers"
# a held-out VCTK clip at each output rate a bundled model has
CLIPS = {
    16000: EVAL / "BWE_16k/8kto16k/wideband.flac",
    48000: EVAL / "BWE_48k/8kto48k/wideband.flac",
}
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
    pipe = hf_audiosr.pipeline(name)
    config = pipe.model.config
    clip = CLIPS[config.output_sampling_rate]
    if not clip.is_file():
        pytest.skip(f"evaluation clip not found at {clip}")
    ref, sr = sf.read(clip, dtype="float64")
    # the model's own input rate (8 or 4 kHz); a model told the input's cut-off gets 8 kHz
    rate = 8000 if getattr(config, "conditions_on_bandwidth", False) else config.input_sampling_rate
    assert config.output_sampling_rate == sr
    factor = sr // rate
    low = degrade(ref, sr, rate, "sinc")
    out = pipe(low.astype(np.float32), sampling_rate=rate)
    # factor x the input length, which at 4 kHz can round up past the reference by < factor
    assert out["sampling_rate"] == sr and out["audio"].shape == (factor * len(low),)
    assert 0 <= factor * len(low) - len(ref) < factor
    n = len(ref)
    cubic = lsd(ref, interpolate(low, factor, "cubic")[:n])
    assert lsd(ref, out["audio"][:n].astype(np.float64)) < 0.75 * cubic


@pytest.mark.parametrize("name", NAMES)
def test_bundled_model_chunks_match_whole_input_with_its_default_context(name):
    """With no ``context_s`` the pipeline gives each chunk the model's receptive field (plus half
    the cross-fade): 0.25 s for the AudioUNets and TFNet, 0.5 s for the spectrogram model, 4.7 s
    for the two TFiLM models, whose stacked TFiLM layers reach 4.65 s back. Chunked output is
    then whole-input output up to float rounding (measured <= 2e-7 here, 1e-4 with the old fixed
    0.25 s for tfilm-unet), except that fast Griffin-Lim amplifies rounding (see
    tests/models/spectrogram; measured 1.3e-4 on 12 s of LibriSpeech)."""
    pipe = hf_audiosr.pipeline(name)
    config = pipe.model.config
    context = config.default_chunk_context_s
    assert context >= config.receptive_field / config.output_sampling_rate + 0.01
    x, rate = sf.read(str(hf_audiosr.EXAMPLE_AUDIO), dtype="float32")  # 10.4 s of speech
    whole = pipe(x, sampling_rate=rate, chunk_length_s=100)["audio"]
    chunked = pipe(x, sampling_rate=rate, chunk_length_s=2)["audio"]
    tolerance = 5e-3 if config.model_type == "audiosr-spectrogram" else 1e-5
    assert np.abs(chunked - whole).max() < tolerance


def test_recipe_total_steps_follows_init_from(tmp_path):
    from hf_audiosr.bundled import recipe_total_steps

    def model_folder(name, recipe):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "config.json").write_text("{}")
        (folder / "training_recipe.json").write_text(json.dumps(recipe))
        return folder

    base = model_folder("base", {"step": 1000, "args": {}})
    tuned = model_folder("tuned", {"step": 300, "args": {"init_from": str(base)}})
    assert recipe_total_steps(base) == 1000
    assert recipe_total_steps(tuned) == 1300  # written before total_steps: followed
    lost = model_folder("lost", {"step": 300, "args": {"init_from": str(tmp_path / "gone")}})
    assert recipe_total_steps(lost) is None  # the chain cannot be followed: unknown, not 300
    recorded = model_folder("recorded", {"step": 5, "total_steps": 9, "args": {"init_from": "x"}})
    assert recipe_total_steps(recorded) == 9
    unknown = model_folder("unknown", {"step": 5, "total_steps": None, "args": {}})
    assert recipe_total_steps(unknown) is None
    assert recipe_total_steps(tmp_path) is None  # no recipe
    # the bundled GAN model was fine-tuned from the bundled default
    gan = recipe_total_steps(bundled_models()["audiounet-gan-speech-8k-16k"])
    assert gan == 1000 + recipe_total_steps(bundled_models()["audiounet-speech-8k-16k"])
