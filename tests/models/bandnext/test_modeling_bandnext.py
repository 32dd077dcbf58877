"""BandNeXtForAudioSuperResolution: the shared checks, plus BandNeXt's own.

* the output has the input's length, and below the cut-off it is the input (for several cut-offs,
  and per example in a batch);
* the cut-off is used: by the band weight and by the network itself (its embedding);
* gradients reach both streams from an amplitude loss and from a phase loss (the exchange);
* without a cut-off the fallback estimate finds a brick wall, and reads noise and silence as full
  band;
* the spectral extras are what the waveform was made from;
* the configuration checks its arguments, and the trainer's way of building a model works.

Most checks use a model whose heads are redrawn larger (a fresh model starts ~20 dB below the
given band), so the new band carries a good part of the output's energy.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from hf_audiosr.models import ARCHITECTURES, BandNeXtConfig, build_config, build_model
from hf_audiosr.models.bandnext import BANDNEXT_PRESETS, BandNeXtForAudioSuperResolution

from ..modeling_common import AudioSRModelTesterMixin


def tiny_config(**overrides):
    return BandNeXtConfig.from_preset("tiny", **overrides)


def loud_heads(model, seed: int = 0):
    """Redraw the amplitude head so the new band is about as loud as the given band."""
    generator = torch.Generator().manual_seed(seed)
    head = model.network.amplitude_head
    with torch.no_grad():
        head.weight.copy_(torch.randn(head.weight.shape, generator=generator) * 0.05)
        head.bias.zero_()
    return model


def make(seed: int = 0, **overrides) -> BandNeXtForAudioSuperResolution:
    torch.manual_seed(seed)
    return loud_heads(build_model(tiny_config(**overrides)), seed).eval()


def lowpassed_noise(length: int, sampling_rate: int, cutoff_hz: float, seed: int = 0) -> np.ndarray:
    """White noise with every FFT bin at or above ``cutoff_hz`` zeroed (a brick wall)."""
    rng = np.random.default_rng(seed)
    spectrum = np.fft.rfft(0.1 * rng.standard_normal(length))
    spectrum[np.fft.rfftfreq(length, 1 / sampling_rate) >= cutoff_hz] = 0
    return np.fft.irfft(spectrum, length).astype(np.float32)


def stft_np(x: np.ndarray, config) -> np.ndarray:
    """The model's STFT (centred, zero-padded, periodic Hann), computed with numpy."""
    n, hop = config.n_fft, config.hop_length
    padded = np.pad(np.asarray(x, dtype=np.float64), n // 2)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)
    frames = 1 + len(x) // hop
    return np.stack(
        [np.fft.rfft(window * padded[m * hop : m * hop + n]) for m in range(frames)], axis=1
    )


class TestBandNeXt(AudioSRModelTesterMixin):
    config_factory = staticmethod(tiny_config)
    sub_pixel_convolutions = False
    # Frames on a fixed hop grid, every layer local in time: with white-noise input the fallback
    # cut-off is the model's maximum in every chunk, so chunked output is whole-input output up to
    # float rounding. Stricter than the default.
    chunk_tolerance = 1e-5
    larger_config_factory = staticmethod(lambda: BandNeXtConfig.from_preset("small"))

    def make_model(self, seed: int = 0, **overrides):
        return loud_heads(super().make_model(seed, **overrides), seed)


@pytest.mark.parametrize("length", [1, 2, 31, 32, 33, 127, 128, 129, 1000, 4097])
def test_output_length_is_input_length(length):
    model = make(sampling_rate=16000)
    x = torch.randn(3, length) * 0.1
    with torch.no_grad():
        y = model(input_values=x, input_bandwidth_hz=torch.tensor([1000.0, 4000.0, 7000.0]))
    assert y.audio_values.shape == (3, length)
    assert torch.isfinite(y.audio_values).all()


@pytest.mark.parametrize("cutoff_hz", [1000.0, 2000.0, 4000.0, 6000.0])
def test_input_band_is_kept(cutoff_hz):
    """Below the cross-over the output's STFT is the input's, up to the leakage of the new band
    (an inconsistent spectrum: random heads) in the final inverse STFT. Measured over the bins 2
    or more below the cross-over (seeds 0-2, 256-point frames at 16 kHz): at most 1.2 % relative
    error (Frobenius) and an LSD of 0.003, while the new band's mean power per bin is about 0.15
    of the kept band's. A model that did not keep the band would be off by ~100 %."""
    model = make(sampling_rate=16000, n_fft=256, hop_length=64)
    config = model.config
    x = lowpassed_noise(8000, 16000, cutoff_hz)
    with torch.no_grad():
        y = model(input_values=torch.from_numpy(x)[None], input_bandwidth_hz=cutoff_hz)
    y = y.audio_values[0].numpy()
    reference, estimate = stft_np(x, config), stft_np(y, config)
    cut_bin = cutoff_hz / config.bin_hz
    kept = slice(1, int(np.floor(cut_bin - config.crossover_bins)) - 2)
    assert kept.stop - kept.start >= 3
    new = slice(int(np.ceil(cut_bin)), None)
    assert np.mean(np.abs(estimate[new]) ** 2) > 0.05 * np.mean(np.abs(estimate[kept]) ** 2)
    diff = estimate[kept] - reference[kept]
    assert np.linalg.norm(diff) < 2.5e-2 * np.linalg.norm(reference[kept])
    log_ratio = np.log10(np.abs(estimate[kept]) ** 2 / np.abs(reference[kept]) ** 2)
    lsd = np.mean(np.sqrt(np.mean(log_ratio**2, axis=0)))
    assert lsd < 0.01


def test_per_example_cutoffs_in_a_batch():
    model = make(sampling_rate=16000)
    x = torch.randn(3, 3000) * 0.1
    cutoffs = torch.tensor([1500.0, 3000.0, 6500.0])
    with torch.no_grad():
        batched = model(input_values=x, input_bandwidth_hz=cutoffs, output_spectrum=True)
        for b in range(3):
            single = model(input_values=x[b : b + 1], input_bandwidth_hz=float(cutoffs[b]))
            torch.testing.assert_close(
                batched.audio_values[b], single.audio_values[0], atol=1e-5, rtol=1e-4
            )
    torch.testing.assert_close(batched.input_bandwidth_hz, cutoffs)
    # each row keeps its own band: weight 1 well below its cut-off, 0 from it up
    bins = torch.arange(model.config.num_freq_bins) * model.config.bin_hz
    for b in range(3):
        weight = batched.band_weight[b]
        below = bins <= cutoffs[b] - model.config.crossover_bins * model.config.bin_hz
        assert torch.all(weight[below] == 1) and torch.all(weight[bins >= cutoffs[b]] == 0)


def test_cutoff_is_clamped_to_the_models_range():
    model = make(sampling_rate=16000)
    config = model.config
    x = torch.randn(2, 2000) * 0.1
    with torch.no_grad():
        out = model(
            input_values=x, input_bandwidth_hz=torch.tensor([100.0, 9000.0]), output_spectrum=True
        )
    torch.testing.assert_close(
        out.input_bandwidth_hz,
        torch.tensor([config.min_input_bandwidth_hz, config.max_input_bandwidth_hz]),
    )


def test_different_cutoffs_give_different_outputs():
    """The cut-off changes the output above both cut-offs, where neither keeps the input, and the
    network itself uses it (its embedding), not only through the band weight."""
    model = make(sampling_rate=16000)
    config = model.config
    x = torch.from_numpy(lowpassed_noise(4000, 16000, 3000.0))[None]
    with torch.no_grad():
        a = model(input_values=x, input_bandwidth_hz=3000.0, output_spectrum=True)
        b = model(input_values=x, input_bandwidth_hz=3500.0, output_spectrum=True)
    above = int(np.ceil(3500.0 / config.bin_hz))
    sa, sb = a.spectrum[:, above:], b.spectrum[:, above:]
    assert (sa - sb).abs().mean() > 0.1 * sa.abs().mean()
    # the same features, a different embedding
    frames, bins = 20, config.num_freq_bins
    generator = torch.Generator().manual_seed(1)
    relative = torch.randn(1, frames, bins, generator=generator)
    phasor = torch.randn(1, frames, 2 * bins, generator=generator)
    band = torch.ones(1, bins)
    with torch.no_grad():
        low = model.network(relative, phasor, band, torch.tensor([0.3]))
        high = model.network(relative, phasor, band, torch.tensor([0.6]))
    # A fresh ConvNeXt's blocks add little to their residual stream (weights of std 0.02, layer
    # scale 1 / num_blocks), so the embedding's effect starts small: measured 2.5e-4 to 3.8e-4
    # of the outputs' mean magnitude, far above float rounding (a network that ignored the
    # embedding would give exactly the same outputs).
    for p, q in zip(low, high):
        assert (p - q).abs().mean() > 2e-5 * p.abs().mean()


@pytest.mark.parametrize("target", ["log_magnitude", "phase"])
def test_gradients_reach_both_streams(target):
    """A loss on the new band's log-magnitude, or on its phase, alone reaches the first block of
    both streams (the streams exchange information after every block)."""
    model = make(sampling_rate=16000).train()
    x = torch.randn(2, 2000) * 0.1
    out = model(input_values=x, input_bandwidth_hz=3000.0, output_spectrum=True)
    new = out.band_weight[:, :, None] == 0
    values = getattr(out, target)
    loss = (
        (values * new).square().mean()
        if target == "log_magnitude"
        else values[new.expand_as(values)].sin().mean()
    )
    loss.backward()
    network = model.network
    for block in (network.amplitude_blocks[0], network.phase_blocks[0]):
        for name, param in block.named_parameters():
            assert param.grad is not None and torch.any(param.grad != 0), name
    head = network.amplitude_head if target == "log_magnitude" else network.phase_head
    assert torch.any(head.weight.grad != 0)


def test_fallback_finds_a_brick_wall():
    """No ``input_bandwidth_hz``: the estimate lands on a brick wall (at most a few bins above it,
    the window's side lobes), per example; white noise and silence read as full band (the
    model's maximum)."""
    model = make(sampling_rate=16000, n_fft=512, hop_length=128)
    config = model.config
    walls = (2500.0, 4000.0, 6000.0)
    x = np.stack([lowpassed_noise(16000, 16000, c, seed=i) for i, c in enumerate(walls)])
    x[1] *= 0.01  # levels do not matter
    with torch.no_grad():
        spectrum = model.stft(torch.from_numpy(x))
        estimate = model.estimate_bandwidth(spectrum, x.shape[-1])
        out = model(input_values=torch.from_numpy(x), output_spectrum=True)
    for wall, found in zip(walls, estimate.tolist()):
        assert wall - config.bin_hz <= found <= wall + 8 * config.bin_hz
    torch.testing.assert_close(out.input_bandwidth_hz, estimate)
    noise = torch.randn(1, 16000) * 0.1
    silence = torch.zeros(1, 16000)
    for signal in (noise, silence):
        with torch.no_grad():
            out = model(input_values=signal, output_spectrum=True)
        assert out.input_bandwidth_hz.item() == pytest.approx(config.max_input_bandwidth_hz)
        assert torch.isfinite(out.audio_values).all()


def test_spectral_extras_are_what_the_waveform_is_made_of():
    model = make(sampling_rate=16000)
    x = torch.randn(2, 1500) * 0.1
    with torch.no_grad():
        out = model(input_values=x, input_bandwidth_hz=3000.0, output_spectrum=True)
        plain = model(input_values=x, input_bandwidth_hz=3000.0)
    frames = 1 + 1500 // model.config.hop_length
    assert out.spectrum.shape == (2, model.config.num_freq_bins, frames)
    torch.testing.assert_close(model.stft.inverse(out.spectrum, 1500), out.audio_values)
    torch.testing.assert_close(plain.audio_values, out.audio_values)
    assert plain.spectrum is None and plain.input_bandwidth_hz is None
    torch.testing.assert_close(out.log_magnitude, model.log_magnitude(out.spectrum))
    torch.testing.assert_close(
        torch.polar(out.log_magnitude.exp(), out.phase), out.spectrum, atol=1e-4, rtol=1e-4
    )
    # below the cross-over the spectrum is the input's STFT exactly
    kept = out.band_weight[0] == 1
    torch.testing.assert_close(out.spectrum[:, kept], model.stft(x)[:, kept])
    # a target's spectrum on the same frames, for spectral losses
    assert model.stft(torch.randn(2, 1500)).shape == out.spectrum.shape
    # return_dict=False: the tuple of the fields that are set
    loss, audio = model(input_values=x, labels=x, input_bandwidth_hz=3000.0, return_dict=False)
    torch.testing.assert_close(audio, out.audio_values)


def test_bad_bandwidth_is_a_clear_error():
    model = make(sampling_rate=16000)
    x = torch.randn(2, 500) * 0.1
    with pytest.raises(
        ValueError, match=r"input_bandwidth_hz must be a float or have shape \(2,\)"
    ):
        model(input_values=x, input_bandwidth_hz=torch.tensor([1000.0, 2000.0, 3000.0]))
    with pytest.raises(ValueError, match=r"positive and finite"):
        model(input_values=x, input_bandwidth_hz=float("nan"))
    with pytest.raises(ValueError, match=r"positive and finite"):
        model(input_values=x, input_bandwidth_hz=torch.tensor([1000.0, -5.0]))
    with pytest.raises(ValueError, match=r"must be a float, a tensor"):
        model(input_values=x, input_bandwidth_hz="4000")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"input_sampling_rate": 16000, "output_sampling_rate": 48000}, "one rate"),
        ({"sampling_rate": 0}, "sampling_rate must be a positive"),
        ({"n_fft": 100 + 1}, "n_fft must be an even"),
        ({"hop_length": 65}, r"hop_length must be in \[1, n_fft // 2 = 64\]"),
        ({"kernel_size": 4}, "kernel_size must be a positive odd"),
        ({"num_blocks": 0}, "num_blocks must be a positive integer"),
        ({"crossover_bins": 0}, "crossover_bins must be positive"),
        ({"min_input_bandwidth_hz": 23600.0}, "min_input_bandwidth_hz < max_input_bandwidth_hz"),
        ({"max_input_bandwidth_hz": 30000.0}, r"sampling_rate / 2 = 24000"),
        ({"output_sampling_rates": (44100,)}, "include sampling_rate"),
        ({"interpolation": "linear"}, "interpolation must be one of"),
        ({"conditions_on_bandwidth": False}, "always conditions on the input's bandwidth"),
    ],
)
def test_config_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tiny_config(**kwargs)


def test_config_rates_and_defaults():
    config = BandNeXtConfig.from_preset("small")
    assert config.input_sampling_rate == config.output_sampling_rate == 48000
    assert config.upsampling_factor == 1
    assert config.conditions_on_bandwidth is True
    assert config.output_sampling_rates == (44100, 48000)
    assert config.min_input_bandwidth_hz == pytest.approx(2000.0)
    assert config.max_input_bandwidth_hz == pytest.approx(23520.0)
    assert config.receptive_field == 2 * 511 + 4 * 3 * 256
    assert config.length_multiple == 256
    sixteen = BandNeXtConfig.from_preset("small-16k")
    assert (sixteen.sampling_rate, sixteen.n_fft, sixteen.hop_length) == (16000, 512, 128)
    assert sixteen.output_sampling_rates == (16000,)
    # stored as plain fields: a saved config round-trips, and config.json holds what the router
    # reads
    saved = config.to_dict()
    restored = BandNeXtConfig.from_dict(saved)
    assert restored.to_dict() == saved
    assert saved["conditions_on_bandwidth"] is True and saved["sampling_rate"] == 48000
    assert tuple(saved["output_sampling_rates"]) == (44100, 48000)
    assert saved["min_input_bandwidth_hz"] == pytest.approx(2000.0)


def test_built_like_the_trainer_builds_every_architecture():
    """``build_config(arch, preset, input_sampling_rate=..., output_sampling_rate=...)``, as
    ``SuperResolutionTrainer`` calls it, works when both rates are the model's rate."""
    assert ARCHITECTURES["bandnext"][0] is BandNeXtConfig
    assert set(BANDNEXT_PRESETS) >= {"paper", "small", "tiny"}
    config = build_config("bandnext", "tiny", input_sampling_rate=16000, output_sampling_rate=16000)
    assert config.sampling_rate == 16000
    assert isinstance(build_model(config), BandNeXtForAudioSuperResolution)
    with pytest.raises(ValueError, match="one rate"):
        build_config("bandnext", "tiny", input_sampling_rate=8000, output_sampling_rate=16000)


def test_preset_parameter_counts():
    """The presets' sizes (stated in the model cards and the issue): ``paper`` about AP-BWE's
    29.8 M, ``small`` 1-3 M."""
    counts = {}
    for name in ("paper", "small", "tiny"):
        with torch.device("meta"):
            model = BandNeXtForAudioSuperResolution(BandNeXtConfig.from_preset(name))
        counts[name] = sum(p.numel() for p in model.parameters())
    assert 25e6 < counts["paper"] < 35e6
    assert 1e6 < counts["small"] < 3e6
    assert counts["tiny"] < 50e3


def test_a_segment_with_its_receptive_field_is_exact():
    """With a given cut-off every layer is local in time: a segment starting on the hop grid,
    with ``receptive_field`` samples of context on each side, gives the whole input's output over
    its middle (float rounding apart)."""
    model = make(sampling_rate=16000)
    config = model.config
    x = torch.from_numpy(lowpassed_noise(6000, 16000, 3000.0))[None]
    context = -(-config.receptive_field // config.hop_length) * config.hop_length
    start, stop = 2048, 3000
    with torch.no_grad():
        whole = model(input_values=x, input_bandwidth_hz=3000.0).audio_values
        part = model(
            input_values=x[:, start - context : stop + context], input_bandwidth_hz=3000.0
        ).audio_values
        short = model(
            input_values=x[:, start - context // 4 : stop + context], input_bandwidth_hz=3000.0
        ).audio_values
    middle = whole[:, start:stop]
    assert torch.allclose(part[:, context : context + stop - start], middle, atol=1e-5)
    # the check can fail: a quarter of the context is not enough
    offset = context // 4
    assert not torch.allclose(short[:, offset : offset + stop - start], middle, atol=1e-4)


def test_bfloat16_weights_run():
    """``model.to(torch.bfloat16)`` (the speed benchmark's bf16 row): the network in bf16, the
    STFTs in float32, the output in the input's dtype and close to the float32 output (measured
    0.7 % RMS error, bf16 input included)."""
    model = make(sampling_rate=16000)
    x = torch.randn(1, 2000) * 0.1
    with torch.no_grad():
        reference = model(input_values=x, input_bandwidth_hz=3000.0).audio_values
        model.to(torch.bfloat16)
        out = model(input_values=x.bfloat16(), input_bandwidth_hz=3000.0).audio_values
    assert out.dtype == torch.bfloat16 and out.shape == reference.shape
    error = (out.float() - reference).square().mean().sqrt()
    assert error < 0.05 * reference.square().mean().sqrt()
