"""Checks every hf-audiosr architecture must pass (the idea of transformers' ModelTesterMixin).

A test class sets ``config_factory`` (a callable returning a small config) and inherits these.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from transformers import AutoConfig, AutoModel

import hf_audiosr  # noqa: F401  (registers the Auto classes)
from hf_audiosr.models import build_model
from hf_audiosr.pipeline_audio_super_resolution import AudioSuperResolutionPipeline


def enlarge_output_layers(model, seed: int = 0, std: float = 0.05):
    """Redraw the layers that are initialised near zero (output convolutions, TFiLM projections,
    anything named ``final_conv`` or ``projection``) with a larger ``std``, so that a fresh model's
    residual is far from zero and equality checks between code paths compare network outputs,
    not just the fixed interpolation."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if ("final_conv" in name or "projection" in name) and name.endswith("weight"):
                param.copy_(torch.randn(param.shape, generator=generator) * std)
    return model


class AudioSRModelTesterMixin:
    config_factory = None  # set by subclasses
    # test_chunked_equals_whole: the largest allowed difference between chunked and whole-input
    # output, and the context (s) given to each chunk; subclasses may override both, with reason.
    chunk_tolerance = 1e-4
    chunk_context_s = 0.1

    def make_model(self, seed: int = 0, **overrides):
        torch.manual_seed(seed)
        model = build_model(type(self).config_factory(**overrides))
        return model.eval()

    @pytest.mark.parametrize("length", [1, 7, 64, 333, 2000])
    def test_output_is_factor_times_input_length(self, length):
        model = self.make_model()
        factor = model.config.upsampling_factor
        with torch.no_grad():
            out = model(input_values=torch.randn(2, length) * 0.1)
        assert out.audio_values.shape == (2, factor * length)
        assert torch.isfinite(out.audio_values).all()

    def test_accepts_1d_and_channel_dim(self):
        model = self.make_model()
        x = torch.randn(500) * 0.1
        with torch.no_grad():
            a = model(input_values=x).audio_values
            b = model(input_values=x[None, None]).audio_values
        assert torch.equal(a, b)
        with pytest.raises(ValueError, match=r"input_values must have shape"):
            model(input_values=torch.randn(2, 3, 100))

    def test_save_load_roundtrip_safetensors(self, tmp_path):
        model = self.make_model()
        model.save_pretrained(tmp_path)
        assert (tmp_path / "model.safetensors").is_file()
        assert not (tmp_path / "pytorch_model.bin").exists()
        config = AutoConfig.from_pretrained(tmp_path)
        assert type(config) is type(model.config)
        reloaded = AutoModel.from_pretrained(tmp_path).eval()
        assert type(reloaded) is type(model)
        x = torch.randn(1, 777) * 0.1
        with torch.no_grad():
            torch.testing.assert_close(
                model(input_values=x).audio_values, reloaded(input_values=x).audio_values
            )

    def test_deterministic_in_eval_mode(self):
        model = self.make_model()
        x = torch.randn(1, 1000) * 0.1
        with torch.no_grad():
            assert torch.equal(
                model(input_values=x).audio_values, model(input_values=x).audio_values
            )

    def test_same_seed_same_weights(self):
        a, b = self.make_model(seed=3), self.make_model(seed=3)
        for (na, pa), (nb, pb) in zip(a.state_dict().items(), b.state_dict().items()):
            assert na == nb and torch.equal(pa, pb)

    def test_gradients_reach_every_parameter(self):
        model = self.make_model().train()
        factor = model.config.upsampling_factor
        x = torch.randn(2, 512) * 0.1
        out = model(input_values=x, labels=torch.randn(2, 512 * factor) * 0.1)
        out.loss.backward()
        missing = [
            n for n, p in model.named_parameters() if p.grad is None or not torch.any(p.grad != 0)
        ]
        assert not missing, f"no gradient reached {missing}"

    def test_loss_is_mse_and_return_dict_false(self):
        model = self.make_model()
        factor = model.config.upsampling_factor
        x, y = torch.randn(1, 256) * 0.1, torch.randn(1, 256 * factor) * 0.1
        with torch.no_grad():
            out = model(input_values=x, labels=y)
            torch.testing.assert_close(out.loss, torch.mean((out.audio_values - y) ** 2))
            loss, audio = model(input_values=x, labels=y, return_dict=False)
        torch.testing.assert_close(audio, out.audio_values)
        with pytest.raises(ValueError, match=r"labels must have shape"):
            model(input_values=x, labels=y[:, :-1])

    def test_interpolated_values_are_the_baseline(self):
        model = self.make_model()
        x = torch.randn(1, 400) * 0.1
        with torch.no_grad():
            out = model(input_values=x, output_interpolated=True)
        expected = hf_audiosr.dsp.interpolate(
            x[0].double().numpy(), model.config.upsampling_factor, model.config.interpolation
        )
        np.testing.assert_allclose(out.interpolated_values[0].numpy(), expected, atol=1e-5)

    def test_chunked_equals_whole(self, tmp_path):
        model = self.make_model()
        fe = hf_audiosr.AudioSRFeatureExtractor(
            sampling_rate=model.config.input_sampling_rate,
            output_sampling_rate=model.config.output_sampling_rate,
            interpolation=model.config.interpolation,
        )
        pipe = AudioSuperResolutionPipeline(model=model, feature_extractor=fe)
        sr = model.config.input_sampling_rate
        rng = np.random.default_rng(0)
        x = (0.1 * rng.standard_normal(sr * 6)).astype(np.float32)
        whole = pipe(x, sampling_rate=sr, chunk_length_s=100)["audio"]
        chunked = pipe(x, sampling_rate=sr, chunk_length_s=0.5, context_s=self.chunk_context_s)[
            "audio"
        ]
        assert whole.shape == chunked.shape == (len(x) * model.config.upsampling_factor,)
        assert np.max(np.abs(whole - chunked)) < self.chunk_tolerance
