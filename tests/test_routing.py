"""``model="auto"``: which bundled model each input goes to, decided from its measured band."""

from __future__ import annotations

import json

import pytest

import hf_audiosr
from hf_audiosr.models import BandNeXtConfig
from hf_audiosr.routing import ModelSpec, choose_model, fixed_route, model_specs, output_rate

ANY_BAND = "bandnext-speech-16k"
FULL_BAND = "bandnext-fullband-48k"


@pytest.mark.parametrize(
    ("bandwidth", "rate", "target", "model", "out_rate"),
    [
        # the full-band model adds the most band to any input it serves, at 44.1 or 48 kHz
        (4000, 8000, None, FULL_BAND, 48000),  # 8 kHz speech
        (3400, 8000, None, FULL_BAND, 48000),  # telephone band
        (4000, 48000, None, FULL_BAND, 48000),  # 8 kHz audio in a 48 kHz file
        (2000, 4000, None, FULL_BAND, 48000),
        (7800, 16000, None, FULL_BAND, 48000),  # 16 kHz speech
        (7601, 48000, None, FULL_BAND, 48000),  # 16 kHz speech in a 48 kHz file
        (5512, 11025, None, FULL_BAND, 44100),  # 11.025 kHz: to 44.1 kHz, its multiple
        (10000, 22050, None, FULL_BAND, 44100),  # a 22.05 kHz song
        (16000, 44100, None, FULL_BAND, 44100),  # an MP3's low-pass: 44.1 kHz stays 44.1 kHz
        (20000, 44100, None, None, 44100),  # it would add under 10 % of the band
        (22050, 44100, None, None, 44100),  # full-band music
        (1800, 4000, None, "tfnet-speech-4k-16k", 16000),  # below its 2 kHz: the 4 -> 16 kHz model
        (1000, 8000, None, None, 8000),  # narrower than any model is made for
        (4000, 8000, 8000, None, 8000),  # the target holds no more band than the input
        # asked for 16 kHz, the 16 and 48 kHz any-band models add the same band: the 16 kHz one
        # (routing_priority 3 against 2), the best on 8 and 4 kHz speech
        (4000, 8000, 16000, ANY_BAND, 16000),
        (3400, 8000, 16000, ANY_BAND, 16000),
        (2000, 4000, 16000, ANY_BAND, 16000),
        (2500, 16000, 16000, ANY_BAND, 16000),
        (7000, 16000, 16000, ANY_BAND, 16000),  # a 7 kHz low-pass: adds 7-8 kHz
        (7800, 16000, 16000, None, 16000),  # 16 kHz speech: nothing to add at 16 kHz
    ],
)
def test_bundled_routing(bandwidth, rate, target, model, out_rate):
    route = choose_model(bandwidth, rate, target)
    assert (route.model, route.output_sampling_rate) == (model, out_rate), route.reason
    assert route.input_bandwidth_hz == bandwidth
    assert route.reason
    if model is None:
        assert route.reason.startswith("returned unchanged")
    assert json.loads(json.dumps(route.to_dict()))["model"] == model


def test_reasons_say_why_nothing_runs():
    assert "narrower than any bundled model" in choose_model(1000, 8000).reason
    assert "no bundled model adds any" in choose_model(7800, 16000, 16000).reason
    assert "no bundled model adds any" in choose_model(22050, 44100).reason


def test_rate_policy():
    assert output_rate(8000, 16000) == 16000
    assert output_rate(44100, 16000) == 44100  # never below the input's rate
    assert output_rate(44100, 16000, 8000) == 8000  # unless asked
    assert output_rate(22050, None) == 22050  # no model


def test_every_bundled_model_is_described_from_its_config():
    specs = {s.name: s for s in model_specs()}
    assert set(specs) == set(hf_audiosr.bundled_models())
    tfnet = specs["tfnet-speech-8k-16k"]
    assert (tfnet.input_sampling_rate, tfnet.output_sampling_rate) == (8000, 16000)
    assert tfnet.max_input_bandwidth_hz == 4000 and not tfnet.conditions_on_bandwidth
    assert tfnet.priority > specs["audiounet-speech-8k-16k"].priority > 0
    any_band = specs[ANY_BAND]
    assert any_band.conditions_on_bandwidth and any_band.priority > tfnet.priority
    assert (any_band.min_input_bandwidth_hz, any_band.max_input_bandwidth_hz) == (2000, 7840)
    full = specs[FULL_BAND]
    assert full.conditions_on_bandwidth and full.output_sampling_rates == (44100, 48000)
    assert (full.min_input_bandwidth_hz, full.max_input_bandwidth_hz) == (2000, 23520)
    assert 0 < full.priority < any_band.priority


def _full_band_spec(name="bandnext-full-48k", **overrides) -> ModelSpec:
    config = BandNeXtConfig.from_preset("tiny", **overrides).to_dict()
    return ModelSpec.from_config(name, "/nowhere", config)


def test_a_full_band_model_is_routed_to_from_its_config_alone():
    """A model that is told the input's cut-off (BandNeXt) serves every band in its range at 44.1
    and 48 kHz: adding one to the bundled set needs no change here."""
    full = _full_band_spec()
    assert full.conditions_on_bandwidth and full.output_sampling_rates == (44100, 48000)
    specs = [*(s for s in model_specs() if s.output_sampling_rate == 16000), full]
    cases = {
        (8000, 48000): (full.name, 48000),  # 48 kHz file with an 8 kHz band
        (16000, 44100): (full.name, 44100),  # MP3: 44.1 kHz material stays at 44.1 kHz
        (11025, 22050): (full.name, 44100),  # 22.05 kHz song -> 44.1 kHz
        (8000, 16000): (full.name, 48000),  # 16 kHz speech -> 48 kHz
        (4000, 8000): (full.name, 48000),  # adds more than the 8 -> 16 kHz models can
        (22050, 44100): (None, 44100),  # already full band
    }
    for (bandwidth, rate), expected in cases.items():
        route = choose_model(bandwidth, rate, specs=specs)
        assert (route.model, route.output_sampling_rate) == expected, (bandwidth, rate, route)
    # asked for 16 kHz output, the 16 and 48 kHz models both add 4-8 kHz: the tie goes to the
    # higher routing_priority
    assert choose_model(4000, 8000, 16000, specs=specs).model == ANY_BAND
    # a band below its range goes elsewhere
    assert choose_model(1800, 4000, specs=specs).model == "tfnet-speech-4k-16k"


def test_priority_breaks_ties_between_equal_models():
    specs = [s for s in model_specs() if s.input_sampling_rate == 8000]
    assert choose_model(4000, 8000, specs=specs).model == "tfnet-speech-8k-16k"
    no_tfnet = [s for s in specs if s.name != "tfnet-speech-8k-16k"]
    assert choose_model(4000, 8000, specs=no_tfnet).model == "audiounet-speech-8k-16k"


def test_fixed_route_follows_the_rate_policy():
    config = BandNeXtConfig.from_preset("tiny")
    assert fixed_route("x", config, 8000, 22050).output_sampling_rate == 44100
    assert fixed_route("x", config, 8000, 22050, 48000).output_sampling_rate == 48000
    tfnet = json.loads(
        (hf_audiosr.bundled_models()["tfnet-speech-8k-16k"] / "config.json").read_text()
    )
    assert fixed_route("t", tfnet, 20000, 44100).output_sampling_rate == 44100


@pytest.mark.parametrize(("bandwidth", "rate", "target"), [(4000, 0, None), (4000, 8000, -1)])
def test_bad_rates_raise(bandwidth, rate, target):
    with pytest.raises(ValueError, match="must be positive"):
        choose_model(bandwidth, rate, target)
