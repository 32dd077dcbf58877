"""Checks every hf-audiosr architecture must pass (the idea of transformers' ModelTesterMixin).

A test class sets ``config_factory`` (a callable returning a small config) and inherits these.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import soundfile as sf
import torch
from transformers import AutoConfig, AutoModel

import hf_audiosr  # noqa: F401  (registers the Auto classes)
from hf_audiosr.configuration_utils import MIN_CHUNK_CONTEXT_S
from hf_audiosr.modeling_utils import SubPixelConv1d, pixel_shuffle_1d
from hf_audiosr.models import build_model
from hf_audiosr.pipeline_audio_super_resolution import AudioSuperResolutionPipeline
from hf_audiosr.streaming import upsample_file


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


# The largest difference between the phases of a fresh sub-pixel convolution's output that is not
# a checkerboard, relative to the output's peak. ICNR gives the ``r`` phases the same kernels, so
# they differ only by float rounding: oneDNN computes the output channels of different phases in
# different vector lanes and blocks, and on an AVX2 CPU (no AVX-512) they come out 1e-7 to 3e-7 of
# the peak apart (a few float32 ulps; 0 on the AVX-512 machine). A real checkerboard is orders of
# magnitude above this bound: independently drawn phases differ by the order of the output
# itself, and the faint 4 kHz tone of the trained models, 50-60 dB below the speech, is still
# 1e-3 of it (see test_phase_mismatch_catches_a_faint_checkerboard in tests/test_modeling_utils.py).
PHASE_MISMATCH_TOLERANCE = 1e-5


def phase_mismatch(shuffled: torch.Tensor, upscale_factor: int) -> float:
    """How far the ``upscale_factor`` phases of a shuffled sub-pixel output ``(..., time)`` are
    from repeating each value: the largest ``|phase j - phase 0|`` over the peak ``|output|``
    (0 for nearest-neighbour output, about 1 for unrelated phases)."""
    phases = shuffled.unflatten(-1, (-1, upscale_factor))
    peak = float(shuffled.abs().max())
    if peak == 0.0:
        return 0.0
    return float((phases - phases[..., :1]).abs().max()) / peak


def measure_receptive_field(model, positions: int = 4, seed: int = 0) -> tuple[int, int]:
    """How far (output-rate samples, before and after) the output depends on the input, measured.

    Runs ``model`` in float64 on random input long enough that the analytic receptive field stays
    clear of both ends, takes the gradient of single output samples near the middle (``positions``
    of them, spread over one ``length_multiple`` so that different alignments to the strides and
    TFiLM blocks are seen) with respect to the input, and returns the largest distances to an
    input sample with a nonzero gradient, at the output rate (input sample ``m`` sits at output
    sample ``factor * m``)."""
    config = model.config
    factor = config.upsampling_factor
    reach = math.ceil(config.receptive_field / factor)
    align = max(1, config.length_multiple // factor)
    length = 3 * reach + 4 * align + 64
    model = model.double().eval()
    generator = torch.Generator().manual_seed(seed)
    x = 0.1 * torch.randn(1, length, generator=generator, dtype=torch.float64)
    x.requires_grad_(True)
    y = model(input_values=x).audio_values[0]
    centre = (length // 2) * factor
    step = max(1, config.length_multiple // positions)
    before = after = 0
    for k in range(positions):
        t = centre + k * step + k  # + k: not only multiples of the stride
        (grad,) = torch.autograd.grad(y[t], x, retain_graph=True)
        reached = torch.nonzero(grad[0]).flatten()
        before = max(before, t - factor * int(reached.min()))
        after = max(after, factor * int(reached.max()) - t)
    return before, after


def long_receptive_field_config(config_factory, seconds: float = 4.0):
    """``config_factory()`` with its sampling rates lowered (same factor) so that its receptive
    field spans about ``seconds`` at the output rate. The receptive field in samples does not
    depend on the rates, so this makes any architecture's tiny config need far more than the old
    fixed 0.25 s of chunk context, cheaply (the signal is a few thousand samples)."""
    config = config_factory()
    factor = config.upsampling_factor
    rate = max(1, int(config.receptive_field / (seconds * factor)))
    return config_factory(input_sampling_rate=rate, output_sampling_rate=rate * factor)


class AudioSRModelTesterMixin:
    config_factory = None  # set by subclasses
    # test_chunked_equals_whole: the largest allowed difference between chunked and whole-input
    # output, and the context (s) given to each chunk; subclasses may override both, with reason.
    chunk_tolerance = 1e-4
    chunk_context_s = 0.1
    # test_receptive_field_bounds_the_gradient also measures this (non-tiny) config when set.
    larger_config_factory = None
    # Whether the architecture up-samples with sub-pixel convolutions (the U-Nets); if so they
    # must be SubPixelConv1d, initialised with ICNR (test_sub_pixel_convolutions_start_...).
    sub_pixel_convolutions = True

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
        # computed outputs: compared up to rounding (a wrong reshape differs by the output itself)
        torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-7)
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
            # up to rounding, far below what dropout or noise left on in eval mode would change
            torch.testing.assert_close(
                model(input_values=x).audio_values,
                model(input_values=x).audio_values,
                rtol=1e-6,
                atol=1e-7,
            )

    def test_same_seed_same_weights(self):
        a, b = self.make_model(seed=3), self.make_model(seed=3)
        for (na, pa), (nb, pb) in zip(a.state_dict().items(), b.state_dict().items()):
            # some inits go through LAPACK (orthogonal: QR), so up to rounding; an unseeded draw
            # differs by the weights' own scale
            assert na == nb
            torch.testing.assert_close(pa, pb, rtol=1e-6, atol=1e-7, msg=na)

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

    def test_sub_pixel_convolutions_start_without_checkerboard(self):
        """ICNR: in a fresh model every phase of every sub-pixel convolution is the same kernel
        (and bias), so on any input the shuffled output repeats each value ``r`` times (up to
        float rounding, :data:`PHASE_MISMATCH_TOLERANCE`): no
        component at half of (or any multiple below) the shuffled rate, i.e. no checkerboard tone
        at step 0 (for the 8 -> 16 kHz U-Nets, none at 4 or 8 kHz). (A fresh model as built, not
        ``make_model``'s, whose output layers some subclasses redraw.)"""
        torch.manual_seed(0)
        model = build_model(type(self).config_factory()).eval()
        convs = [m for m in model.modules() if isinstance(m, SubPixelConv1d)]
        if not type(self).sub_pixel_convolutions:
            assert not convs
            return
        assert convs
        for conv in convs:
            r = conv.upscale_factor
            for weights in (conv.weight.unflatten(0, (r, -1)), conv.bias.unflatten(0, (r, -1))):
                for j in range(1, r):
                    # bit-exact on any CPU: ICNR copies one draw to every phase (no arithmetic)
                    assert torch.equal(weights[j], weights[0])
        outputs = []
        hooks = [c.register_forward_hook(lambda m, i, o: outputs.append((m, o))) for c in convs]
        try:
            with torch.no_grad():
                model(input_values=torch.randn(2, 512) * 0.1)
        finally:
            for hook in hooks:
                hook.remove()
        assert {id(m) for m, _ in outputs} == {id(c) for c in convs}
        for conv, out in outputs:
            # the outputs are computed, not copied: equal up to rounding (see the tolerance)
            mismatch = phase_mismatch(
                pixel_shuffle_1d(out, conv.upscale_factor), conv.upscale_factor
            )
            assert mismatch < PHASE_MISMATCH_TOLERANCE, (type(conv).__name__, mismatch)

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
        # the model's own output (no low-band replacement): chunking is what is tested
        whole = pipe(x, sampling_rate=sr, chunk_length_s=100, preserve_input_band=False)["audio"]
        chunked = pipe(
            x,
            sampling_rate=sr,
            chunk_length_s=0.5,
            context_s=self.chunk_context_s,
            preserve_input_band=False,
        )["audio"]
        assert whole.shape == chunked.shape == (len(x) * model.config.upsampling_factor,)
        assert np.max(np.abs(whole - chunked)) < self.chunk_tolerance

    @pytest.mark.parametrize("which", ["tiny", "larger"])
    def test_receptive_field_bounds_the_gradient(self, which):
        """``config.receptive_field`` is an upper bound on how far the output reaches, and not a
        loose one.

        The bound takes every layer's worst alignment (where a sample sits in each stride and
        TFiLM block) and assumes the gradient gets through every max-pool and ReLU at the far
        edge of a kernel or block. Measured at 4 output positions (2 for the larger configs), the
        bound is 0.4-5 % above the reach of the convolutional, TFNet and spectrogram models and
        8-12 % above that of the TFiLM models, whose data-dependent max-pools leave up to about a
        block of the bound unreached. The second check allows 15 % plus half a
        ``length_multiple``: a bound that missed any layer's reach fails the first check, one
        that counted a TFiLM layer, or TFNet's STFT frames, twice fails the second."""
        if which == "larger":
            if self.larger_config_factory is None:
                pytest.skip("no larger config for this architecture")
            torch.manual_seed(0)
            model = build_model(type(self).larger_config_factory())
            model = enlarge_output_layers(model)
            positions = 2
        else:
            model = self.make_model()
            positions = 4
        config = model.config
        assert config.receptive_field is not None
        before, after = measure_receptive_field(model, positions=positions)
        assert max(before, after) <= config.receptive_field
        assert config.receptive_field <= 1.15 * max(before, after) + config.length_multiple // 2

    def _long_receptive_field_model(self):
        config = long_receptive_field_config(type(self).config_factory, seconds=4.0)
        return self.make_model(
            input_sampling_rate=config.input_sampling_rate,
            output_sampling_rate=config.output_sampling_rate,
        )

    def test_default_chunk_context_makes_chunks_exact(self):
        """With no ``context_s`` the pipeline takes the context from the model.

        The config's rates are lowered so that its receptive field spans ~4 s (see
        :func:`long_receptive_field_config`); the old fixed 0.25 s of context then leaves seams
        far above the tolerance (checked, so this test can fail), the model's default does not.
        A 0.5 s cross-fade makes the default context cover half a fade too."""
        model = self._long_receptive_field_model()
        config = model.config
        assert config.receptive_field / config.output_sampling_rate > 3.0
        context = config.default_chunk_context_s
        assert context >= config.receptive_field / config.output_sampling_rate
        fe = hf_audiosr.AudioSRFeatureExtractor(
            sampling_rate=config.input_sampling_rate,
            output_sampling_rate=config.output_sampling_rate,
            interpolation=config.interpolation,
        )
        pipe = AudioSuperResolutionPipeline(model=model, feature_extractor=fe)
        sr = config.input_sampling_rate
        x = (0.1 * np.random.default_rng(0).standard_normal(3 * int(context * sr) + 37)).astype(
            np.float32
        )
        kw = {"sampling_rate": sr, "crossfade_s": 0.5, "preserve_input_band": False}
        whole = pipe(x, chunk_length_s=1000, **kw)["audio"]
        kw["chunk_length_s"] = context
        chunked = pipe(x, **kw)["audio"]
        assert whole.shape == chunked.shape == (len(x) * config.upsampling_factor,)
        assert np.max(np.abs(whole - chunked)) < self.chunk_tolerance
        old = pipe(x, context_s=MIN_CHUNK_CONTEXT_S, **kw)["audio"]
        assert np.max(np.abs(whole - old)) > 3 * self.chunk_tolerance

    def test_streaming_default_chunk_context_makes_chunks_exact(self, tmp_path):
        """:func:`hf_audiosr.streaming.upsample_file` with no ``context_s``: as above."""
        model = self._long_receptive_field_model()
        config = model.config
        factor = config.upsampling_factor
        context = config.default_chunk_context_s
        sr = config.input_sampling_rate
        x = (0.1 * np.random.default_rng(1).standard_normal(3 * int(context * sr) + 37)).astype(
            np.float32
        )
        src = tmp_path / "in.wav"
        sf.write(src, x, sr, subtype="FLOAT")
        with torch.no_grad():
            whole = model(input_values=torch.from_numpy(x)[None]).audio_values[0].numpy()

        def stream(**kwargs):
            dst = tmp_path / "out.wav"
            upsample_file(
                model,
                src,
                dst,
                input_sampling_rate=sr,
                factor=factor,
                chunk_length_s=context,
                crossfade_s=0.5,
                preserve_input_band=False,
                **kwargs,
            )
            return sf.read(dst, dtype="float32")[0]

        chunked = stream()
        assert chunked.shape == whole.shape == (len(x) * factor,)
        assert np.max(np.abs(whole - chunked)) < self.chunk_tolerance
        old = stream(context_s=MIN_CHUNK_CONTEXT_S)
        assert np.max(np.abs(whole - old)) > 3 * self.chunk_tolerance
