import numpy as np
import pytest
import torch

import hf_audiosr
from hf_audiosr.models import (
    TFiLMUNetConfig,
    TFiLMUNetForAudioSuperResolution,
    build_config,
    build_model,
)
from hf_audiosr.models.tfilm_unet import TFILM_UNET_PRESETS, TFiLMUNetTFiLMLayer

from ..modeling_common import AudioSRModelTesterMixin, enlarge_output_layers


def tiny_config(**overrides):
    return TFiLMUNetConfig.from_preset("tiny", **overrides)


class TestTFiLMUNet(AudioSRModelTesterMixin):
    config_factory = staticmethod(tiny_config)
    # The TFiLM LSTM sees a bounded window (4 blocks of 32 output samples, 8 ms), so with a
    # context covering the window and the convolutions' reach (well under 0.1 s) chunked output
    # is whole-input output up to float rounding: measured 7e-8 (2e-3 with the paper's unbounded
    # LSTM at 0.02 s of context). Stricter than the default.
    chunk_tolerance = 1e-5
    # "small" with a 4-block TFiLM window (0.62 s of receptive field instead of 4.7 s), so the
    # gradient check stays cheap
    larger_config_factory = staticmethod(
        lambda: TFiLMUNetConfig.from_preset("small", tfilm_window=4)
    )

    def make_model(self, seed: int = 0, **overrides):
        return enlarge_output_layers(super().make_model(seed, **overrides), seed)


class TestTFiLMUNetCubicFactor3(TestTFiLMUNet):
    # 8 -> 24 kHz: block_size 32 and factor 3 make length_multiple 96, so chunk boundaries at
    # multiples of 32 input samples still land on the block grid.
    config_factory = staticmethod(
        lambda **kw: TFiLMUNetConfig.from_preset(
            "tiny", **{"interpolation": "cubic", "output_sampling_rate": 24000, **kw}
        )
    )
    larger_config_factory = None  # measured once, in TestTFiLMUNet


def conv_params(cin, cout, k):
    return cin * cout * k + cout


def torch_lstm_params(c):
    # input and recurrent weights of the four gates, and torch's two bias vectors
    return 4 * (c * c + c * c + 2 * c)


def keras_lstm_params(c):
    # the reference code's Keras LSTM: one bias vector
    return 4 * (c * c + c * c + c)


def tfilm_unet_params(filters, kernels, bottleneck, bottleneck_kernel, lstm_params, projection):
    total = 0
    channels = 1
    for f, k in zip(filters, kernels):
        total += conv_params(channels, f, k)
        channels = f
    total += conv_params(channels, bottleneck, bottleneck_kernel)
    channels = bottleneck
    for f, k in reversed(list(zip(filters, kernels))):
        total += conv_params(channels, 2 * f, k)
        channels = 2 * f
    total += conv_params(channels, 2, 9)
    tfilm_channels = [*filters, bottleneck, *reversed(filters)]
    total += sum(lstm_params(c) for c in tfilm_channels)
    if projection:
        total += sum(c * 2 * c + 2 * c for c in tfilm_channels)
    return total


def test_paper_preset_matches_the_publication_and_its_parameter_count():
    config = TFiLMUNetConfig.from_preset("paper")
    # kuleshov/audio-super-res src/models/audiotfilm.py: 128/256/512/512 filters, kernels
    # 65/33/17/9, dilation 2, a 512-filter bottleneck of kernel 9, dropout 0.5, blocks of
    # 128/2**l steps (32 per 8192-sample patch).
    assert config.down_filters == (128, 256, 512, 512)
    assert config.down_kernel_sizes == (65, 33, 17, 9)
    assert (config.bottleneck_filters, config.bottleneck_kernel_size) == (512, 9)
    assert (config.dilation, config.dropout, config.interpolation) == (2, 0.5, "cubic")
    with torch.device("meta"):  # shapes only: no memory, no initialisation
        model = TFiLMUNetForAudioSuperResolution(config)
    levels = [*model.unet.down_blocks, model.unet.bottleneck, *model.unet.up_blocks]
    assert [b.tfilm.block_length for b in levels] == [128, 64, 32, 16, 8, 16, 32, 64, 128]
    args = ((128, 256, 512, 512), (65, 33, 17, 9), 512, 9)
    # The reference code's count: 6.82e7, the number the AFiLM paper (Rakotonirina 2021, Table 2)
    # reports for TFiLM.
    assert tfilm_unet_params(*args, keras_lstm_params, projection=False) == 68_221_186
    # Ours adds the scale/shift projection (2C^2 + 2C per layer) and torch's second LSTM bias.
    expected = tfilm_unet_params(*args, torch_lstm_params, projection=True)
    assert sum(p.numel() for p in model.parameters()) == expected == 71_190_274


def test_thesis_preset_is_bini_reduced_tfilm_net():
    config = TFiLMUNetConfig.from_preset("thesis")
    args = ((64, 128, 448), (65, 33, 17), 448, 9)
    assert (config.down_filters, config.down_kernel_sizes) == args[:2]
    with torch.device("meta"):
        model = TFiLMUNetForAudioSuperResolution(config)
    assert tfilm_unet_params(*args, keras_lstm_params, projection=False) == 24_735_106
    expected = tfilm_unet_params(*args, torch_lstm_params, projection=True)
    assert sum(p.numel() for p in model.parameters()) == expected == 26_031_618


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"input_sampling_rate": 8000, "output_sampling_rate": 12000}, "integer multiple"),
        ({"down_filters": (8, 16), "down_kernel_sizes": (9,)}, "equal length"),
        ({"down_kernel_sizes": (8, 5)}, "odd positive"),
        ({"dilation": 0}, "dilation must be a positive integer"),
        (
            {"block_size": 36},
            r"block_size must be a positive multiple of 2 \*\* \(number of down blocks \+ 1\) = 8",
        ),
        ({"tfilm_window": 0}, "tfilm_window must be a positive number of blocks or None"),
        ({"interpolation": "linear"}, r"interpolation must be one of \('sinc', 'cubic'\)"),
        ({"dropout": 1.0}, r"dropout must be in \[0, 1\)"),
        ({"input_sampling_rate": 0}, "must be positive"),
    ],
)
def test_invalid_configs_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tiny_config(**kwargs)


def test_unknown_preset_names_the_choices():
    with pytest.raises(ValueError, match=r"choose one of \['paper', 'small', 'thesis', 'tiny'\]"):
        TFiLMUNetConfig.from_preset("huge")


def test_derived_properties_and_training_entry_point():
    config = build_config(
        "tfilm_unet", "small", input_sampling_rate=16000, output_sampling_rate=48000
    )
    assert isinstance(build_model(config), TFiLMUNetForAudioSuperResolution)
    assert config.model_type == "audiosr-tfilm-unet"
    assert config.upsampling_factor == 3
    assert config.length_multiple == 768  # lcm(block_size 256, factor 3)
    assert config.tfilm_context_length == 256 * 32
    assert tiny_config(tfilm_window=None).tfilm_context_length is None
    assert config.block_size % 2 ** (config.num_blocks + 1) == 0
    assert TFILM_UNET_PRESETS["small"]["tfilm_window"] == 32


def make_layer(channels=3, block_length=4, window=None, seed=0):
    torch.manual_seed(seed)
    layer = TFiLMUNetTFiLMLayer(channels, block_length, window)
    with torch.no_grad():
        layer.projection.weight.normal_(std=0.5)
        layer.projection.bias.normal_(std=0.5)
    return layer.eval()


def test_tfilm_with_zero_projection_is_the_identity():
    layer = make_layer(window=2)
    with torch.no_grad():
        layer.projection.weight.zero_()
        layer.projection.bias.zero_()
    x = torch.randn(2, 3, 40)
    with torch.no_grad():
        # bit-exact on any CPU: x * (1 + 0) + 0 is exact in IEEE arithmetic (with or without FMA)
        assert torch.equal(layer(x), x)


def test_tfilm_with_constant_projection_scales_and_shifts_every_block_alike():
    layer = make_layer()
    gamma, beta = torch.tensor([0.5, -1.0, 2.0]), torch.tensor([0.1, 0.2, -0.3])
    with torch.no_grad():
        layer.projection.weight.zero_()
        layer.projection.bias.copy_(torch.cat([gamma, beta]))
        x = torch.randn(2, 3, 40)
        expected = x * (1 + gamma)[None, :, None] + beta[None, :, None]
        torch.testing.assert_close(layer(x), expected)


@pytest.mark.parametrize("window", [None, 1, 3, 20])
def test_tfilm_modulation_is_per_block_and_follows_a_windowed_lstm(window):
    layer = make_layer(window=window)
    x = torch.randn(2, 3, 4 * 9)  # 9 blocks of 4 steps
    with torch.no_grad():
        out = layer(x)
        blocks = x.view(2, 3, 9, 4)
        pooled = blocks.amax(-1).transpose(1, 2)  # (batch, block, channel): max-pool per block
        for b in range(9):
            start = 0 if window is None else max(0, b - window + 1)
            state = layer.lstm(pooled[:, start : b + 1])[0][:, -1]  # LSTM from a zero state
            gamma, beta = layer.projection(state).chunk(2, dim=-1)
            expected = blocks[:, :, b] * (1 + gamma)[..., None] + beta[..., None]
            torch.testing.assert_close(out[..., 4 * b : 4 * b + 4], expected)


def test_tfilm_window_equals_the_paper_on_short_inputs_and_bounds_the_memory():
    window, length = 3, 4
    bounded, unbounded = make_layer(window=window), make_layer(window=None)
    x = torch.randn(1, 3, length * 12)
    with torch.no_grad():
        # no more blocks than the window (the paper's training patches): identical layers
        torch.testing.assert_close(bounded(x[..., : 3 * length]), unbounded(x[..., : 3 * length]))
        # dropping the first k blocks changes nothing from block k + window - 1 on ...
        k = 4
        tail = (k + window - 1) * length
        shifted = bounded(x[..., k * length :])[..., tail - k * length :]
        torch.testing.assert_close(bounded(x)[..., tail:], shifted, rtol=0, atol=1e-6)
        # ... whereas the paper's unbounded LSTM remembers them
        shifted = unbounded(x[..., k * length :])[..., tail - k * length :]
        assert (unbounded(x)[..., tail:] - shifted).abs().max() > 1e-4


def test_tfilm_rejects_partial_blocks():
    with pytest.raises(ValueError, match="not a multiple of its block length 4"):
        make_layer()(torch.randn(1, 3, 10))


def test_a_fresh_model_starts_near_the_interpolation():
    model = build_model(TFiLMUNetConfig.from_preset("small")).eval()
    x = torch.randn(1, 4000) * 0.1
    with torch.no_grad():
        out = model(input_values=x, output_interpolated=True)
    assert (out.audio_values - out.interpolated_values).abs().max() < 0.02


def test_from_pretrained_and_pipeline_reproduce_the_model(tmp_path):
    torch.manual_seed(0)
    model = enlarge_output_layers(build_model(tiny_config())).eval()
    model.save_pretrained(tmp_path)
    x = (0.1 * np.random.default_rng(1).standard_normal(3000)).astype(np.float32)
    with torch.no_grad():
        expected = model(input_values=torch.from_numpy(x)).audio_values[0].numpy()
    reloaded = hf_audiosr.load_model(tmp_path)
    assert isinstance(reloaded, TFiLMUNetForAudioSuperResolution)
    with torch.no_grad():
        np.testing.assert_allclose(
            reloaded(input_values=torch.from_numpy(x)).audio_values[0].numpy(), expected, atol=1e-6
        )
    result = hf_audiosr.pipeline(str(tmp_path))(x, sampling_rate=8000, preserve_input_band=False)
    assert result["sampling_rate"] == 16000
    np.testing.assert_allclose(result["audio"], expected, atol=1e-5)
