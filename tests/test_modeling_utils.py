"""Shared model pieces: the sub-pixel convolution and its ICNR initialisation."""

from __future__ import annotations

import pytest
import torch
from transformers import initialization as init

from hf_audiosr import AudioUNetConfig, AudioUNetForAudioSuperResolution
from hf_audiosr.modeling_utils import SubPixelConv1d, icnr_, pixel_shuffle_1d

from .models.modeling_common import PHASE_MISMATCH_TOLERANCE, phase_mismatch


@pytest.mark.parametrize("factor", [2, 3])
def test_icnr_copies_one_draw_to_every_phase(factor):
    conv = SubPixelConv1d(5, 4 * factor, 7, padding=3, upscale_factor=factor)
    torch.manual_seed(0)
    icnr_(conv.weight, factor, init.orthogonal_)
    torch.nn.init.zeros_(conv.bias)
    phases = conv.weight.detach().unflatten(0, (factor, 4))
    for j in range(1, factor):
        assert torch.equal(phases[j], phases[0])  # a copy: bit-exact on any CPU
    # the one draw is what init_fn gives: orthogonal rows
    flat = phases[0].flatten(1)
    torch.testing.assert_close(flat @ flat.T, torch.eye(4), atol=1e-5, rtol=0)
    # shuffled output = the first phase's output repeated `factor` times (nearest neighbour), up
    # to rounding: the phases are different output channels of a computed convolution
    with torch.no_grad():
        out = pixel_shuffle_1d(conv(torch.randn(2, 5, 50)), factor)
    assert phase_mismatch(out, factor) < PHASE_MISMATCH_TOLERANCE


@pytest.mark.parametrize("factor", [2, 3])
def test_phase_mismatch_catches_a_faint_checkerboard(factor):
    """The tolerance of the checkerboard tests is far below any real checkerboard: a bias offset
    of one phase 80 dB below the output's peak (fainter than the 4 kHz tone of the trained models,
    50-60 dB below the speech) fails it, and so do phases drawn independently (no ICNR)."""
    torch.manual_seed(0)
    conv = SubPixelConv1d(5, 4 * factor, 7, padding=3, upscale_factor=factor)
    icnr_(conv.weight, factor, init.orthogonal_)
    torch.nn.init.zeros_(conv.bias)
    x = torch.randn(2, 5, 50)
    with torch.no_grad():
        clean = pixel_shuffle_1d(conv(x), factor)
        peak = float(clean.abs().max())
        conv.bias[-4:] += 1e-4 * peak  # the last phase
        faint = pixel_shuffle_1d(conv(x), factor)
        independent = SubPixelConv1d(5, 4 * factor, 7, padding=3, upscale_factor=factor)
        unrelated = pixel_shuffle_1d(independent(x), factor)
    assert phase_mismatch(clean, factor) < PHASE_MISMATCH_TOLERANCE
    assert phase_mismatch(faint, factor) > 5 * PHASE_MISMATCH_TOLERANCE
    assert phase_mismatch(unrelated, factor) > 0.1


def test_icnr_leaves_loaded_weights_alone():
    weight = torch.nn.Parameter(torch.arange(12.0).reshape(4, 1, 3))
    weight._is_hf_initialized = True
    icnr_(weight, 2, init.orthogonal_)
    assert torch.equal(weight, torch.arange(12.0).reshape(4, 1, 3))  # untouched: bit-exact


def test_sub_pixel_conv_checks_its_factor():
    with pytest.raises(ValueError, match="multiple of upscale_factor"):
        SubPixelConv1d(3, 5, 3, upscale_factor=2)


def test_from_pretrained_keeps_trained_sub_pixel_weights(tmp_path):
    """ICNR runs at init only: a checkpoint whose phases differ (any trained one) loads as is."""
    torch.manual_seed(0)
    model = AudioUNetForAudioSuperResolution(AudioUNetConfig.from_preset("tiny"))
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.01 * torch.randn_like(p))
    model.save_pretrained(tmp_path)
    reloaded = AudioUNetForAudioSuperResolution.from_pretrained(tmp_path)
    # safetensors stores the bytes: a reload is bit-exact on any CPU
    for (name, a), (_, b) in zip(model.state_dict().items(), reloaded.state_dict().items()):
        assert torch.equal(a, b), name
    conv = reloaded.up_blocks[-1].conv
    assert not torch.equal(*conv.weight.unflatten(0, (2, -1)).unbind(0))  # ICNR would copy
