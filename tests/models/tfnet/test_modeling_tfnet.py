import numpy as np
import pytest
import torch

import hf_audiosr
from hf_audiosr.models import TFNetConfig, TFNetForAudioSuperResolution, build_config, build_model
from hf_audiosr.models.tfnet import TFNetSpectralBranch, TFNetSpectralFusion, TFNetSTFT, TFNetUNet

from ..modeling_common import AudioSRModelTesterMixin, enlarge_output_layers


def tiny_config(**overrides):
    return TFNetConfig.from_preset("tiny", **overrides)


class TestTFNet(AudioSRModelTesterMixin):
    config_factory = staticmethod(tiny_config)
    # Frames on a fixed hop grid and a convolutional time branch: with a context covering a frame
    # (64 samples) and the U-Net's reach, chunked output is whole-input output up to float
    # rounding (measured 2.4e-7 from 0.02 s of context on). Stricter than the default.
    chunk_tolerance = 1e-5
    larger_config_factory = staticmethod(lambda: TFNetConfig.from_preset("small"))

    def make_model(self, seed: int = 0, **overrides):
        return enlarge_output_layers(super().make_model(seed, **overrides), seed)


class TestTFNetCubicFactor3(TestTFNet):
    # 8 -> 24 kHz: the replicator tiles a pass band of 32 // 3 = 10 bins; hop 16, stride 8 and
    # factor 3 make length_multiple 48.
    config_factory = staticmethod(
        lambda **kw: TFNetConfig.from_preset(
            "tiny", **{"interpolation": "cubic", "output_sampling_rate": 24000, **kw}
        )
    )
    larger_config_factory = None  # measured once, in TestTFNet


def conv_params(cin, cout, k):
    return cin * cout * k + cout


def unet_params(filters, kernels, bottleneck, bottleneck_kernel):
    total, channels = 0, 1
    for f, k in zip(filters, kernels):
        total += conv_params(channels, f, k)
        channels = f
    total += conv_params(channels, bottleneck, bottleneck_kernel)
    channels = bottleneck
    for f, k in reversed(list(zip(filters, kernels))):
        total += conv_params(channels, 2 * f, k)
        channels = 2 * f
    return total + conv_params(channels, 2, 9)


def test_paper_preset_matches_the_publication_and_its_parameter_count():
    config = TFNetConfig.from_preset("paper")
    # Lim et al. 2018: both branches are "slim" AudioUNets (AudioUNet's filters halved), B = 4,
    # kernels 65/33/17/9, 8192-sample patches (4096 bins above DC), one fusion weight per bin.
    for prefix in ("time", "spectral"):
        assert getattr(config, f"{prefix}_filters") == (64, 128, 256, 256)
        assert getattr(config, f"{prefix}_kernel_sizes") == (65, 33, 17, 9)
        assert getattr(config, f"{prefix}_bottleneck_filters") == 256
    assert (config.frame_length, config.hop_length, config.num_frequency_bins) == (8192, 2048, 4097)
    with torch.device("meta"):  # shapes only: no memory, no initialisation
        model = TFNetForAudioSuperResolution(config)
    branch = unet_params((64, 128, 256, 256), (65, 33, 17, 9), 256, 9)
    assert branch == 14_107_266
    expected = 2 * branch + 4097
    assert sum(p.numel() for p in model.parameters()) == expected == 28_218_629


def test_thesis_preset_matches_bini_reduced_tfnet_exactly():
    # giorgiobini/Deep-Learning-for-Audio-Super-Resolution src/params.py "tfnet": 3 layers,
    # 64/128/288 filters in both branches; Keras convolutions with biases, a 4097-bin fusion
    # weight: the same closed form as ours.
    with torch.device("meta"):
        model = TFNetForAudioSuperResolution(TFNetConfig.from_preset("thesis"))
    expected = 2 * unet_params((64, 128, 288), (65, 33, 17), 288, 9) + 4097
    assert sum(p.numel() for p in model.parameters()) == expected == 22_939_653


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"input_sampling_rate": 8000, "output_sampling_rate": 12000}, "integer multiple"),
        ({"time_kernel_sizes": (9,)}, "time_filters and time_kernel_sizes must be non-empty"),
        ({"spectral_filters": ()}, "spectral_filters and spectral_kernel_sizes must be non-empty"),
        ({"spectral_kernel_sizes": (5, 4)}, "odd positive"),
        ({"frame_length": 63}, "frame_length must be an even integer"),
        (
            {"frame_length": 36},
            r"frame_length // 2 .* must be a multiple of 8, got frame_length=36",
        ),
        ({"hop_length": 33}, "hop_length must be between 1 and frame_length // 2"),
        ({"interpolation": "linear"}, r"interpolation must be one of \('sinc', 'cubic'\)"),
        ({"dropout": -0.1}, r"dropout must be in \[0, 1\)"),
    ],
)
def test_invalid_configs_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tiny_config(**kwargs)


def test_unknown_preset_names_the_choices():
    with pytest.raises(ValueError, match=r"choose one of \['paper', 'small', 'thesis', 'tiny'\]"):
        TFNetConfig.from_preset("huge")


def test_derived_properties_and_training_entry_point():
    config = build_config("tfnet", "small", input_sampling_rate=16000, output_sampling_rate=48000)
    assert isinstance(build_model(config), TFNetForAudioSuperResolution)
    assert config.model_type == "audiosr-tfnet"
    assert config.upsampling_factor == 3
    assert config.num_frequency_bins == 257
    assert config.length_multiple == 384  # lcm(U-Net stride 32, hop 128, factor 3)


def test_stft_overlap_add_is_perfect_reconstruction():
    stft = TFNetSTFT(64, 16)
    x = torch.randn(2, 160)
    torch.testing.assert_close(stft.inverse(stft(x), 160), x, rtol=0, atol=1e-6)


def time_signal(seed=0):
    torch.manual_seed(seed)
    return torch.randn(2, 160)


@pytest.mark.parametrize(
    ("logit", "spectral_scale", "output_scale"),
    [
        (20.0, 5.0, 1.0),  # w = 1: the time branch, whatever the spectral branch says
        (-20.0, 2.0, 2.0),  # w = 0: the spectral magnitude 2|F(z)| with z's phase is 2z
        (0.0, 3.0, 2.0),  # w = 1/2: (|F(z)| + 3|F(z)|) / 2 = 2|F(z)|
    ],
)
def test_spectral_fusion_closed_form(logit, spectral_scale, output_scale):
    fusion = TFNetSpectralFusion(64, 16)
    with torch.no_grad():
        fusion.fusion_logits.fill_(logit)
        z = time_signal()
        spectral_magnitude = spectral_scale * fusion.stft(z).abs()
        torch.testing.assert_close(
            fusion(z, spectral_magnitude), output_scale * z, rtol=0, atol=1e-5
        )
    assert fusion.fusion_weights().shape == (33,)


def test_spectral_fusion_keeps_the_time_branch_phase_per_bin():
    fusion = TFNetSpectralFusion(64, 16)
    with torch.no_grad():
        fusion.fusion_logits.fill_(-20.0)  # magnitude from the spectral branch only
        z = time_signal()
        target = time_signal(seed=1)
        magnitude = fusion.stft(target).abs()
        spectrum = fusion.stft(z)
        expected = fusion.stft.inverse(magnitude * spectrum / spectrum.abs(), 160)
        torch.testing.assert_close(fusion(z, magnitude), expected, rtol=0, atol=1e-5)


def make_spectral_branch(factor, replicate=True):
    unet = TFNetUNet((8, 16), (5, 5), 16, 5, 0.0, 0.2)
    return TFNetSpectralBranch(unet, 64, 16, factor, replicate)


@pytest.mark.parametrize(
    ("factor", "replicate", "expected"),
    [
        (2, True, [1, 2, 3, 4, 1, 2, 3, 4]),
        (3, True, [1, 2, 1, 2, 1, 2, 1, 2]),
        (4, True, [1, 2, 1, 2, 1, 2, 1, 2]),
        (1, True, [1, 2, 3, 4, 5, 6, 7, 8]),
        (2, False, [1, 2, 3, 4, 5, 6, 7, 8]),
    ],
)
def test_spectral_replicator_tiles_the_pass_band(factor, replicate, expected):
    bins = torch.arange(1.0, 9.0)[None]
    replicated = make_spectral_branch(factor, replicate).replicate_pass_band(bins)
    assert replicated[0].tolist() == expected


def test_spectral_branch_with_a_silent_unet_returns_the_input_magnitude():
    branch = make_spectral_branch(2)
    with torch.no_grad():
        branch.unet.final_conv.weight.zero_()
        branch.unet.final_conv.bias.zero_()
        x = time_signal()
        torch.testing.assert_close(branch(x), branch.stft(x).abs())


def test_a_fresh_model_starts_near_the_interpolation():
    model = build_model(TFNetConfig.from_preset("small")).eval()
    x = torch.randn(1, 4000) * 0.1
    with torch.no_grad():
        out = model(input_values=x, output_interpolated=True)
    assert (out.audio_values - out.interpolated_values).abs().max() < 0.02


def test_from_pretrained_and_pipeline_reproduce_the_model(tmp_path):
    torch.manual_seed(0)
    model = enlarge_output_layers(build_model(tiny_config())).eval()
    with torch.no_grad():
        model.fusion.fusion_logits.normal_()
    model.save_pretrained(tmp_path)
    x = (0.1 * np.random.default_rng(1).standard_normal(3000)).astype(np.float32)
    with torch.no_grad():
        expected = model(input_values=torch.from_numpy(x)).audio_values[0].numpy()
    reloaded = hf_audiosr.load_model(tmp_path)
    assert isinstance(reloaded, TFNetForAudioSuperResolution)
    torch.testing.assert_close(reloaded.fusion.fusion_logits, model.fusion.fusion_logits)
    with torch.no_grad():
        np.testing.assert_allclose(
            reloaded(input_values=torch.from_numpy(x)).audio_values[0].numpy(), expected, atol=1e-6
        )
    result = hf_audiosr.pipeline(str(tmp_path))(x, sampling_rate=8000, preserve_input_band=False)
    assert result["sampling_rate"] == 16000
    np.testing.assert_allclose(result["audio"], expected, atol=1e-5)
