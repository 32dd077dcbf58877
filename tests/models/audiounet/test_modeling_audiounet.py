import pytest

from hf_audiosr.models import AudioUNetConfig, AudioUNetForAudioSuperResolution
from hf_audiosr.models.audiounet import AUDIOUNET_PRESETS

from ..modeling_common import AudioSRModelTesterMixin


def tiny_config(**overrides):
    return AudioUNetConfig.from_preset("tiny", **overrides)


class TestAudioUNet(AudioSRModelTesterMixin):
    config_factory = staticmethod(tiny_config)
    larger_config_factory = staticmethod(lambda: AudioUNetConfig.from_preset("small"))


class TestAudioUNetCubicFactor4(AudioSRModelTesterMixin):
    config_factory = staticmethod(
        lambda **kw: AudioUNetConfig.from_preset(
            "tiny",
            **{
                "interpolation": "cubic",
                "input_sampling_rate": 4000,
                "output_sampling_rate": 16000,
                **kw,
            },
        )
    )


class TestAudioUNetFactor3(AudioSRModelTesterMixin):
    """16 -> 48 kHz: chunked processing is exact only if the padding grid includes the factor."""

    config_factory = staticmethod(
        lambda **kw: AudioUNetConfig.from_preset(
            "tiny", **{"input_sampling_rate": 4000, "output_sampling_rate": 12000, **kw}
        )
    )


def conv_params(cin, cout, k):
    return cin * cout * k + cout


def test_paper_preset_matches_the_publication_and_its_parameter_count():
    config = AudioUNetConfig.from_preset("paper")
    # Kuleshov et al. 2017 / their code: B = 4 blocks, filters 128/384/512/512, kernels 65/33/17/9,
    # bottleneck 512 filters of size 9, dropout 0.5, cubic-spline input.
    assert config.down_filters == (128, 384, 512, 512)
    assert config.down_kernel_sizes == (65, 33, 17, 9)
    assert (config.bottleneck_filters, config.bottleneck_kernel_size) == (512, 9)
    assert config.dropout == 0.5 and config.interpolation == "cubic"
    # Closed form: down convs, bottleneck, up convs (2x filters, input = previous concat), final.
    expected = (
        conv_params(1, 128, 65)
        + conv_params(128, 384, 33)
        + conv_params(384, 512, 17)
        + conv_params(512, 512, 9)
        + conv_params(512, 512, 9)
        + conv_params(512, 1024, 9)
        + conv_params(1024, 1024, 17)
        + conv_params(1024, 768, 33)
        + conv_params(768, 256, 65)
        + conv_params(256, 2, 9)
    )
    model = AudioUNetForAudioSuperResolution(config)
    assert sum(p.numel() for p in model.parameters()) == expected == 70_977_154


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"input_sampling_rate": 8000, "output_sampling_rate": 12000}, "integer multiple"),
        ({"down_filters": (8, 16), "down_kernel_sizes": (9,)}, "equal length"),
        ({"down_kernel_sizes": (8, 5)}, "odd positive"),
        ({"interpolation": "linear"}, r"interpolation must be one of \('sinc', 'cubic'\)"),
        ({"dropout": 1.0}, r"dropout must be in \[0, 1\)"),
        ({"input_sampling_rate": 0}, "must be positive"),
    ],
)
def test_invalid_configs_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tiny_config(**kwargs)


def test_unknown_preset_names_the_choices():
    with pytest.raises(ValueError, match=r"choose one of \['base', 'paper', 'small', 'tiny'\]"):
        AudioUNetConfig.from_preset("huge")


def test_derived_properties():
    config = AudioUNetConfig.from_preset(
        "small", input_sampling_rate=16000, output_sampling_rate=48000
    )
    assert config.upsampling_factor == 3
    assert config.num_blocks == len(AUDIOUNET_PRESETS["small"]["down_filters"])
    # the stride grid and the factor: input-rate chunk starts must land on the stride grid
    assert config.length_multiple == 3 * 2 ** (config.num_blocks + 1)
    assert AudioUNetConfig.from_preset("small").length_multiple == 2 ** (config.num_blocks + 1)
    assert config.model_type == "audiosr-audiounet"
