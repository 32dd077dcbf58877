"""SpectrogramSRForAudioSuperResolution: the shared checks, plus the spectrogram route's own.

* the loss is the high-band log-magnitude L1 (recomputed here with librosa's STFT);
* the low band of the output is the interpolation's, up to the STFT round-trip error of an
  inconsistent spectrogram, and a silent predicted band gives the interpolation itself;
* the torch Griffin-Lim computes what ``librosa.griffinlim`` computes;
* training mode runs no Griffin-Lim, and a tiny run through the trainer works.

Most checks use a model whose high-band head is redrawn larger (the fresh model starts ~20 dB
below the low band), so the predicted band carries a third or more of the output's energy and
every comparison involves it.
"""

from __future__ import annotations

import json
import math

import librosa
import numpy as np
import pytest
import soundfile as sf
import torch

import hf_audiosr
from hf_audiosr.dsp import interpolate
from hf_audiosr.models import (
    ARCHITECTURES,
    SpectrogramSRConfig,
    SpectrogramSRForAudioSuperResolution,
)
from hf_audiosr.models.spectrogram import SPECTROGRAM_PRESETS, griffin_lim

from ...training.test_trainer import harmonic, logged, write_config
from ..modeling_common import AudioSRModelTesterMixin


def tiny_config(**overrides):
    # 16 Griffin-Lim iterations (the preset has 4), so the checks below exercise it properly.
    return SpectrogramSRConfig.from_preset("tiny", **{"n_iter": 16, **overrides})


def loud_high_band(model, seed: int = 0):
    """Redraw the head so the predicted band is about as loud as the low band."""
    generator = torch.Generator().manual_seed(seed)
    head = model.network.output_proj
    with torch.no_grad():
        head.weight.copy_(torch.randn(head.weight.shape, generator=generator) * 0.05)
        head.bias.zero_()
    return model


def stft_magnitude(x: np.ndarray, config) -> np.ndarray:
    """The model's STFT, computed by librosa (centred, zero-padded, periodic Hann)."""
    return np.abs(
        librosa.stft(
            np.asarray(x, dtype=np.float64),
            n_fft=config.n_fft,
            hop_length=config.hop_length,
            center=True,
            pad_mode="constant",
        )
    )


class TestSpectrogramSR(AudioSRModelTesterMixin):
    config_factory = staticmethod(tiny_config)
    sub_pixel_convolutions = False
    # Griffin-Lim lets every frame influence its neighbours a little more with each iteration
    # (one window length per iteration), so a chunk needs more context than a U-Net's receptive
    # field: `config.receptive_field` is 0.44 s for the `small` preset (512-point frames, 16
    # iterations), whose default context is 0.5 s (0.1 s leaves 3.7e-3 at the seams, 0.25 s
    # 1.6e-5). Fast Griffin-Lim also
    # amplifies rounding: where a bin's update nearly cancels, its phase is ill-defined. Measured
    # here (tiny, 16 iterations, loud high band, peak ~0.8, heads drawn with seeds 0-3): perturbing
    # the input by 1e-7 changes the whole-input output by 1.4e-4 to 1.65e-3; chunked vs whole
    # differs by 9e-6 to 7.2e-4, always below that floor, with an RMS difference of at most
    # 1.7e-4 of the signal's. The tolerance, 5e-3 (0.6 % of the peak), is three times the floor.
    chunk_context_s = 0.25
    chunk_tolerance = 5e-3
    larger_config_factory = staticmethod(lambda: SpectrogramSRConfig.from_preset("small"))

    def make_model(self, seed: int = 0, **overrides):
        return loud_high_band(super().make_model(seed, **overrides), seed)

    def test_loss_is_mse_and_return_dict_false(self):
        """Overrides the shared check: this model's loss is the high-band log-magnitude L1."""
        model = self.make_model()
        config = model.config
        factor, floor, num_low = (
            config.upsampling_factor,
            config.magnitude_floor,
            config.num_low_bins,
        )
        rng = np.random.default_rng(1)
        x = (0.1 * rng.standard_normal(700)).astype(np.float32)
        y = (0.1 * rng.standard_normal(700 * factor)).astype(np.float32)
        xt, yt = torch.from_numpy(x)[None], torch.from_numpy(y)[None]
        with torch.no_grad():
            out = model(input_values=xt, labels=yt)
            low = stft_magnitude(interpolate(x, factor, config.interpolation), config)[:num_low]
            predicted = model.predict_high_band(
                torch.from_numpy(np.log(np.maximum(low, floor))).float()[None]
            )[0].double()
        target = np.log(np.maximum(stft_magnitude(y, config)[num_low:], floor))
        expected = np.mean(np.abs(predicted.numpy() - target))
        assert out.loss.item() == pytest.approx(expected, rel=1e-4)
        # no Griffin-Lim in the loss: the same in train mode and with any number of iterations
        # (up to rounding: Griffin-Lim in the loss would change it by far more than 1e-6)
        with torch.no_grad():
            tight = {"rtol": 1e-6, "atol": 1e-9}
            torch.testing.assert_close(
                model(input_values=xt, labels=yt, n_iter=3).loss, out.loss, **tight
            )
            torch.testing.assert_close(
                model.train()(input_values=xt, labels=yt).loss, out.loss, **tight
            )
            model.eval()
            loss, audio = model(input_values=xt, labels=yt, return_dict=False)
        torch.testing.assert_close(loss, out.loss)
        torch.testing.assert_close(audio, out.audio_values)
        with pytest.raises(ValueError, match=r"labels must have shape \(1, 1400\)"):
            model(input_values=xt, labels=yt[:, :-1])

    def test_low_band_is_the_interpolations(self):
        model = self.make_model()
        config = model.config
        rng = np.random.default_rng(2)
        x = (0.1 * rng.standard_normal(config.input_sampling_rate)).astype(np.float32)
        with torch.no_grad():
            y = model(input_values=torch.from_numpy(x)[None]).audio_values[0].numpy()
        reference = stft_magnitude(interpolate(x, config.upsampling_factor, "sinc"), config)
        estimate = stft_magnitude(y, config)
        num_low = config.num_low_bins
        # the new band is really there: 37 % of the output's energy
        assert np.sum(estimate[num_low:] ** 2) > 0.25 * np.sum(estimate**2)
        # Below the cut-off the output's magnitudes are the interpolation's, up to the leakage of
        # the (not quite consistent) new band through the window's side lobes in the final
        # inverse STFT: measured 9.5e-4 relative (Frobenius) and 0.95 % of the peak at most, over
        # all bins but the two next to the cut-off.
        low = slice(0, num_low - 2)
        diff = estimate[low] - reference[low]
        assert np.linalg.norm(diff) < 3e-3 * np.linalg.norm(reference[low])
        assert np.max(np.abs(diff)) < 3e-2 * np.max(reference[low])

    def test_silent_predicted_band_gives_the_interpolations_low_band(self):
        """Nothing predicted above the cut-off: the output is the interpolation with its STFT bins
        at or above the cut-off zeroed (computed here with librosa)."""
        model = self.make_model()
        config = model.config
        with torch.no_grad():
            model.network.output_proj.bias.fill_(-100.0)  # exp(-100): nothing above the cut-off
            x = torch.randn(1, 3000) * 0.1
            out = model(input_values=x, output_interpolated=True)
        interpolated = out.interpolated_values[0].double().numpy()
        kw = {"n_fft": config.n_fft, "hop_length": config.hop_length}
        spectrum = librosa.stft(interpolated, pad_mode="constant", **kw)
        spectrum[config.num_low_bins :] = 0
        expected = librosa.istft(spectrum, length=len(interpolated), **kw)
        np.testing.assert_allclose(out.audio_values[0].numpy(), expected, atol=1e-6)

    def test_training_mode_runs_no_griffin_lim(self):
        model = self.make_model()
        x = torch.randn(2, 900) * 0.1
        with torch.no_grad():
            without = model(input_values=x, n_iter=0).audio_values
            default = model(input_values=x).audio_values
            explicit = model(input_values=x, n_iter=model.config.n_iter).audio_values
            trained = model.train()(input_values=x).audio_values
        # up to rounding; Griffin-Lim's iterations change the output by more than 1e-3
        torch.testing.assert_close(trained, without, rtol=1e-6, atol=1e-7)
        torch.testing.assert_close(default, explicit, rtol=1e-6, atol=1e-7)
        assert not torch.allclose(default, without, atol=1e-3)

    def test_gain_equivariance(self):
        """Log-magnitudes are predicted relative to each frame's level: ``f(g x) = g f(x)``."""
        model = self.make_model()
        x = torch.randn(1, 2000) * 0.05
        with torch.no_grad():
            y = model(input_values=x).audio_values
            y4 = model(input_values=4 * x).audio_values
        assert (y4 - 4 * y).abs().max() < 2e-3 * (4 * y).abs().max()


class TestSpectrogramSRCubicFactor3(AudioSRModelTesterMixin):
    """16 -> 48 kHz: a cut-off between two bins (85.3), and cubic-spline interpolation."""

    sub_pixel_convolutions = False

    config_factory = staticmethod(
        lambda **kw: SpectrogramSRConfig.from_preset(
            "tiny",
            **{
                "interpolation": "cubic",
                "input_sampling_rate": 16000,
                "output_sampling_rate": 48000,
                **kw,
            },
        )
    )
    # measured 2.5e-5, rounding floor 1.1e-4 (4 iterations, loud high band); see TestSpectrogramSR
    chunk_context_s = 0.25
    chunk_tolerance = 5e-3

    def make_model(self, seed: int = 0, **overrides):
        return loud_high_band(super().make_model(seed, **overrides), seed)

    def test_loss_is_mse_and_return_dict_false(self):
        """Overrides the shared check (see TestSpectrogramSR); here only the error and tuple form."""
        model = self.make_model()
        x, y = torch.randn(1, 256) * 0.1, torch.randn(1, 768) * 0.1
        with torch.no_grad():
            out = model(input_values=x, labels=y)
            loss, audio = model(input_values=x, labels=y, return_dict=False)
        assert out.loss.ndim == 0 and math.isfinite(out.loss.item())
        torch.testing.assert_close(loss, out.loss)
        torch.testing.assert_close(audio, out.audio_values)
        with pytest.raises(ValueError, match=r"labels must have shape"):
            model(input_values=x, labels=y[:, :-1])


# ---------------------------------------------------------------- Griffin-Lim


def harmonic_test_signal(rate: int = 16000) -> np.ndarray:
    rng = np.random.default_rng(0)
    t = np.arange(rate) / rate
    x = sum(
        np.sin(2 * np.pi * f * t * (1 + 0.05 * np.sin(2 * np.pi * 3 * t))) / k
        for k, f in enumerate((220, 440, 660, 1320, 2500, 5000), start=1)
    )
    return x * (0.5 + 0.5 * np.sin(2 * np.pi * 2 * t)) + 0.01 * rng.standard_normal(len(t))


def spectral_convergence(signal: np.ndarray, magnitude: np.ndarray, n_fft: int, hop: int) -> float:
    rebuilt = np.abs(librosa.stft(signal, n_fft=n_fft, hop_length=hop, pad_mode="constant"))
    return float(np.linalg.norm(rebuilt - magnitude) / np.linalg.norm(magnitude))


@pytest.mark.parametrize("momentum", [0.99, 0.0])
def test_griffin_lim_computes_what_librosa_computes(momentum):
    n_fft, hop = 512, 128
    x = harmonic_test_signal()
    magnitude = np.abs(librosa.stft(x, n_fft=n_fft, hop_length=hop, pad_mode="constant"))
    window = torch.hann_window(n_fft, dtype=torch.float64)
    history = []
    for n_iter in (1, 8, 32):
        expected = librosa.griffinlim(
            magnitude,
            n_iter=n_iter,
            hop_length=hop,
            n_fft=n_fft,
            momentum=momentum,
            init=None,
            length=len(x),
        )
        ours = griffin_lim(
            torch.from_numpy(magnitude), n_fft, hop, window, n_iter, momentum, length=len(x)
        ).numpy()
        # float64: the same algorithm, the same numbers (measured 5e-12)
        np.testing.assert_allclose(ours, expected, atol=1e-9)
        ours32 = (
            griffin_lim(
                torch.from_numpy(magnitude).float(),
                n_fft,
                hop,
                window.float(),
                n_iter,
                momentum,
                length=len(x),
            )
            .double()
            .numpy()
        )
        sc_librosa = spectral_convergence(expected, magnitude, n_fft, hop)
        # float32 converges as well (measured within 5e-7 of librosa's spectral convergence)
        assert abs(spectral_convergence(ours32, magnitude, n_fft, hop) - sc_librosa) < 1e-4
        history.append(sc_librosa)
    assert history[0] > history[1] > history[2]
    if momentum:
        assert history[2] < 0.1  # measured 0.060


def test_griffin_lim_keeps_a_known_low_band_and_batches():
    n_fft, hop, known = 256, 64, 40
    x = torch.from_numpy(np.stack([harmonic_test_signal(), harmonic_test_signal()[::-1].copy()]))
    window = torch.hann_window(n_fft, dtype=torch.float64)
    spectrum = torch.stft(
        x, n_fft, hop, window=window, center=True, pad_mode="constant", return_complex=True
    )
    magnitude = spectrum.abs()
    out = griffin_lim(
        magnitude, n_fft, hop, window, 16, length=x.shape[-1], low_band=spectrum[:, :known]
    )
    rebuilt = torch.stft(
        out, n_fft, hop, window=window, center=True, pad_mode="constant", return_complex=True
    )
    # with the low band's phase known the estimate beats unconstrained Griffin-Lim
    free = griffin_lim(magnitude, n_fft, hop, window, 16, length=x.shape[-1])
    free_rebuilt = torch.stft(
        free, n_fft, hop, window=window, center=True, pad_mode="constant", return_complex=True
    )
    error = (rebuilt.abs() - magnitude).norm() / magnitude.norm()
    free_error = (free_rebuilt.abs() - magnitude).norm() / magnitude.norm()
    assert error < free_error
    # each row of the batch is processed on its own
    single = griffin_lim(
        magnitude[1], n_fft, hop, window, 16, length=x.shape[-1], low_band=spectrum[1, :known]
    )
    torch.testing.assert_close(single, out[1])


# ---------------------------------------------------------------- config


def test_paper_preset_and_its_parameter_count():
    config = SpectrogramSRConfig.from_preset("paper")
    assert (config.n_fft, config.hop_length, config.context_frames) == (512, 128, 4)
    assert (config.hidden_size, config.num_hidden_layers, config.n_iter) == (2048, 3, 32)
    assert (config.num_low_bins, config.num_high_bins) == (128, 129)
    expected = (128 * 9 * 2048 + 2048) + 2 * (2048 * 2048 + 2048) + (2048 * 129 + 129)
    model = SpectrogramSRForAudioSuperResolution(config)
    assert sum(p.numel() for p in model.parameters()) == expected == 11_018_369


def test_derived_properties_and_registration():
    config = SpectrogramSRConfig.from_preset(
        "small", input_sampling_rate=16000, output_sampling_rate=48000
    )
    assert config.upsampling_factor == 3
    # bins strictly below 8 kHz at 48 kHz with 512 points: 0..85 (bin 85.33 is the cut-off)
    assert (config.num_low_bins, config.num_high_bins, config.num_freq_bins) == (86, 171, 257)
    assert config.length_multiple == 384  # lcm(hop 128, factor 3): chunks start on frames
    assert config.model_type == "audiosr-spectrogram"
    assert ARCHITECTURES["spectrogram"][0] is SpectrogramSRConfig
    assert set(SPECTROGRAM_PRESETS) == {"paper", "small", "tiny"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"output_sampling_rate": 12000}, r"integer multiple \(at least 2\)"),
        ({"output_sampling_rate": 8000}, r"integer multiple \(at least 2\)"),
        ({"input_sampling_rate": 0}, "must be positive"),
        ({"n_fft": 255}, "n_fft must be an even integer"),
        ({"hop_length": 200}, r"hop_length must be in \[1, n_fft // 2 = 128\]"),
        ({"context_frames": -1}, "context_frames must be >= 0"),
        ({"num_hidden_layers": 0}, "hidden_size and num_hidden_layers must be >= 1"),
        ({"n_iter": -1}, "n_iter must be >= 0"),
        ({"momentum": 1.5}, r"momentum must be in \[0, 1\]"),
        ({"phase_init": "random"}, r"phase_init must be one of \('replicate', 'zero'\)"),
        ({"interpolation": "linear"}, r"interpolation must be one of \('sinc', 'cubic'\)"),
    ],
)
def test_invalid_configs_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SpectrogramSRConfig.from_preset("tiny", **kwargs)


def test_unknown_preset_names_the_choices():
    with pytest.raises(ValueError, match=r"choose one of \['paper', 'small', 'tiny'\]"):
        SpectrogramSRConfig.from_preset("huge")


# ---------------------------------------------------------------- through the trainer


def test_tiny_training_run_through_the_trainer(tmp_path, in_process):
    from hf_audiosr.training import SuperResolutionTrainer, parse_training_args

    dirs = {}
    for split, f0s in {"train": (110, 150, 190), "validation": (170,)}.items():
        dirs[split] = tmp_path / "audio" / split
        dirs[split].mkdir(parents=True)
        for i, f0 in enumerate(f0s):
            sf.write(str(dirs[split] / f"h{f0}.wav"), harmonic(f0, 1.0, seed=i), 16000)
    config = write_config(
        tmp_path,
        dirs,
        architecture="spectrogram",
        learning_rate=1e-2,
        max_steps=12,
        steps_per_epoch=6,
        log_steps=3,
        checkpoint_steps=6,
    )
    args = parse_training_args([str(config)])
    result = SuperResolutionTrainer(args).train()
    records = logged(tmp_path / "run")
    losses = [r for r in records if "loss" in r]
    # the model's own loss (high-band log-magnitude L1) is what is optimised, and it goes down
    assert all(set(r) >= {"loss", "model"} and "l2" not in r for r in losses)
    assert all(r["loss"] == pytest.approx(r["model"]) for r in losses)
    assert losses[-1]["model"] < 0.8 * losses[0]["model"]
    validations = [r for r in records if "val/lsd" in r]
    assert [r["step"] for r in validations] == [6, 12]
    assert all(0 < r["val/lsd"] < 10 for r in validations)
    assert result["step"] == 12
    for name in ("best", "final"):
        model = hf_audiosr.load_model(str(tmp_path / "run" / name))
        assert isinstance(model, SpectrogramSRForAudioSuperResolution)
        with torch.no_grad():
            out = model(input_values=torch.randn(1, 1000) * 0.1)
        assert out.audio_values.shape == (1, 2000)
    recipe = json.loads((tmp_path / "run" / "final" / "training_recipe.json").read_text())
    assert recipe["args"]["architecture"] == "spectrogram"
