"""File-to-file super-resolution in bounded memory (hour-long recordings).

The input is read chunk by chunk with random access (``SoundFile.seek``), each chunk with context
on both sides, exactly as :func:`~hf_audiosr.chunking.plan_chunks` plans it for the in-memory
pipeline, so both give the same result. All channels of a chunk go through the model as one
batch. The output is cross-faded at chunk boundaries and written as soon as it is final, to a
temporary file that replaces the target only when complete.

What the in-memory pipeline keeps, this keeps too: the output is at the requested rate, else at
the higher of the model's and the file's; it lasts as long as the input and has its channels;
and below the input's measured cut-off it is the input (:class:`~hf_audiosr.band_replacement.
LowBandReplacer`, applied block by block to the model's output and the input resampled to the
output rate, both first written to temporary float WAVs). With no model (``model=None``: nothing
to add) the input is only resampled.

If the file's rate is not the model's input rate, it is first converted with soxr's streaming
resampler into a temporary float WAV (again block by block).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from .audio_io import AtomicAudioWriter, AudioLoadError, audio_info, check_audio_path, iter_blocks
from .band_replacement import (
    LowBandReplacer,
    model_cutoff_hz,
    preserved_cutoff_hz,
    preserved_low_cutoff_hz,
)
from .bandwidth import BandwidthEstimate, BandwidthMeter
from .chunking import crossfade_weights, plan_model_chunks
from .configuration_utils import DEFAULT_CROSSFADE_S
from .routing import output_rate

BLOCK = 1 << 16


def _stream_resample(src: Path, dst: Path, target_sr: int) -> None:
    import soundfile as sf
    import soxr

    with sf.SoundFile(str(src)) as f:
        rs = soxr.ResampleStream(f.samplerate, target_sr, f.channels, dtype="float32", quality="HQ")
        with sf.SoundFile(
            str(dst), "w", samplerate=target_sr, channels=f.channels, format="WAV", subtype="FLOAT"
        ) as out:
            while True:
                block = f.read(BLOCK, dtype="float32", always_2d=True)
                last = len(block) < BLOCK
                y = rs.resample_chunk(block, last=last)
                if len(y):
                    out.write(y)
                if last:
                    break


class _OutputResampler:
    def __init__(
        self, writer: AtomicAudioWriter, sr: int, target_sr: int | None, channels: int, clip: bool
    ):
        import soxr

        self.writer = writer
        self.clip = clip
        self.clipped = 0
        self.rs = None
        if target_sr is not None and target_sr != sr:
            self.rs = soxr.ResampleStream(sr, target_sr, channels, dtype="float32", quality="HQ")

    def write(self, block: np.ndarray, last: bool = False) -> None:
        block = block.astype(np.float32)
        if self.rs is not None:
            block = self.rs.resample_chunk(np.ascontiguousarray(block.T), last=last).T
        if block.shape[-1] == 0:
            return
        if self.clip:
            over = np.abs(block) > 1.0
            self.clipped += int(over.sum())
            block = np.clip(block, -1.0, 1.0)
        self.writer.write(block)


class _FloatWav:
    """A temporary float WAV written block by block (``(channels, n)`` blocks), never longer than
    ``limit`` frames."""

    def __init__(self, path: Path, sr: int, channels: int, limit: int | None = None):
        import soundfile as sf

        self.path, self.limit, self.frames = path, limit, 0
        self._file = sf.SoundFile(
            str(path), "w", samplerate=sr, channels=channels, format="WAV", subtype="FLOAT"
        )

    def write(self, block: np.ndarray) -> None:
        if self.limit is not None:
            block = block[:, : max(0, self.limit - self.frames)]
        if block.shape[-1]:
            self._file.write(np.ascontiguousarray(np.asarray(block, dtype=np.float32).T))
            self.frames += block.shape[-1]

    def close(self) -> None:
        self._file.close()


def measure_file_bandwidth(path: str | os.PathLike) -> BandwidthEstimate:
    """:func:`hf_audiosr.estimate_bandwidth` of a file, read block by block (bounded memory)."""
    path = check_audio_path(path)
    frames, sr, _ = audio_info(path)
    if frames == 0:
        raise AudioLoadError(f"{path}: the file contains no samples")
    meter = BandwidthMeter(sr, total_samples=frames)
    for block in iter_blocks(path, BLOCK):
        if not np.isfinite(block).all():
            raise ValueError(f"{path}: contains NaN or infinite samples")
        meter.update(block)
    return meter.result()


def _fixed_length_blocks(path: Path, length: int, channels: int):
    """``(channels, n)`` blocks of the file, cut or zero-padded to exactly ``length`` frames."""
    done = 0
    for block in iter_blocks(path, BLOCK):
        block = block[:, : length - done]
        done += block.shape[1]
        if block.shape[1]:
            yield block.astype(np.float64)
        if done >= length:
            return
    while done < length:
        n = min(BLOCK, length - done)
        done += n
        yield np.zeros((channels, n))


def _run_model_to(
    model,
    source: Path,
    sink,
    *,
    input_path: Path,
    length: int,
    model_sr: int,
    factor: int,
    channels: int,
    chunk_length_s: float,
    context_s: float | None,
    crossfade_s: float,
    progress,
    bandwidth,
    input_sr: int,
) -> None:
    """The model over ``source`` (a file at ``model_sr``), chunk by chunk, into ``sink``."""
    import soundfile as sf

    plans = plan_model_chunks(
        model.config, length, model_sr, factor, chunk_length_s, context_s, crossfade_s
    )
    dtype = next(model.parameters()).dtype
    device = next(model.parameters()).device
    kwargs = {}
    config = model.config
    if getattr(config, "conditions_on_bandwidth", False):
        cutoff = model_cutoff_hz(config, bandwidth, input_sr)
        kwargs["input_bandwidth_hz"] = torch.full((channels,), float(cutoff), device=device)
    with sf.SoundFile(str(source)) as f:
        # pending output: acc/wsum cover output samples [base, base + acc.shape[1])
        base = 0
        acc = np.zeros((channels, 0))
        wsum = np.zeros((channels, 0))
        for i, plan in enumerate(plans):
            f.seek(plan.start)
            x = f.read(plan.stop - plan.start, dtype="float32", always_2d=True).T
            if not np.isfinite(x).all():
                raise ValueError(f"{input_path}: contains NaN or infinite samples")
            with torch.inference_mode():
                y = model(
                    input_values=torch.from_numpy(np.ascontiguousarray(x)).to(device, dtype),
                    **kwargs,
                ).audio_values
            y = y.float().cpu().numpy().astype(np.float64)
            lo, w = crossfade_weights(plan, length, factor)
            seg = y[:, lo - plan.start * factor : lo - plan.start * factor + len(w)]
            end = lo + len(w)
            if end - base > acc.shape[1]:
                grow = end - base - acc.shape[1]
                acc = np.concatenate([acc, np.zeros((channels, grow))], axis=1)
                wsum = np.concatenate([wsum, np.zeros((channels, grow))], axis=1)
            acc[:, lo - base : end - base] += w * seg
            wsum[:, lo - base : end - base] += w
            ready = (
                crossfade_weights(plans[i + 1], length, factor)[0] if i + 1 < len(plans) else end
            ) - base
            if ready > 0:
                sink.write(
                    acc[:, :ready] / np.maximum(wsum[:, :ready], 1e-12),
                    last=(i + 1 == len(plans)),
                )
                acc, wsum, base = acc[:, ready:], wsum[:, ready:], base + ready
            if progress is not None:
                progress(plan.keep_stop, length)


def upsample_file(
    model,
    input_path: str | os.PathLike,
    output_path: str | os.PathLike,
    *,
    target_sampling_rate: int | None = None,
    preserve_input_band: bool = True,
    bandwidth: BandwidthEstimate | None = None,
    chunk_length_s: float = 10.0,
    context_s: float | None = None,
    crossfade_s: float = DEFAULT_CROSSFADE_S,
    progress: Callable[[int, int], None] | None = None,
    input_sampling_rate: int | None = None,
    factor: int | None = None,
) -> dict:
    """Super-resolve ``input_path`` into ``output_path`` (WAV float or FLAC 16-bit) in bounded memory.

    ``model`` is a loaded hf-audiosr model, or None to only resample (a route with nothing to
    add). The output is at ``target_sampling_rate``, else at the higher of the model's output
    rate and the file's rate, as long as the input, with its channels. With
    ``preserve_input_band`` the output below the input's cut-off (``bandwidth``, measured here
    when not given) is the input.

    ``chunk_length_s`` of input go through the model at a time, with ``context_s`` more on each
    side (discarded) and ``crossfade_s`` cross-fades at the seams. ``context_s=None`` takes it
    from the model: its receptive field plus half the cross-fade, at least 0.25 s
    (:func:`~hf_audiosr.configuration_utils.config_chunk_context_s`), so the output matches
    whole-input processing. ``input_sampling_rate`` and ``factor`` default to the model's.

    Returns ``{"frames_in", "sampling_rate_in", "channels", "sampling_rate", "frames",
    "clipped_samples", "bandwidth_hz"}``. ``progress(done, total)`` is called after each chunk,
    in model-input-rate samples.
    """
    if chunk_length_s <= 0 or (context_s is not None and context_s < 0) or crossfade_s < 0:
        raise ValueError(
            "chunk_length_s must be positive and context_s, crossfade_s non-negative, got "
            f"{chunk_length_s}, {context_s}, {crossfade_s}"
        )
    if target_sampling_rate is not None and target_sampling_rate <= 0:
        raise ValueError(f"target_sampling_rate must be positive, got {target_sampling_rate}")
    input_path = check_audio_path(input_path)
    frames, file_sr, channels = audio_info(input_path)
    if frames == 0:
        raise AudioLoadError(f"{input_path}: the file contains no samples")
    if model is not None:
        model_sr = int(input_sampling_rate or model.config.input_sampling_rate)
        factor = int(factor or model.config.upsampling_factor)
        model_out_sr = model_sr * factor
    else:
        model_sr = model_out_sr = None
    final_sr = output_rate(file_sr, model_out_sr, target_sampling_rate)
    final_len = int(round(frames * final_sr / file_sr))
    if bandwidth is None and (preserve_input_band or model is None):
        bandwidth = measure_file_bandwidth(input_path)
    clip = Path(output_path).suffix.lower() == ".flac"
    with tempfile.TemporaryDirectory(prefix="hf-audiosr-") as tmpdir:
        tmp = Path(tmpdir)

        def at_rate(sr: int, name: str) -> Path:
            if file_sr == sr:
                return input_path
            path = tmp / name
            _stream_resample(input_path, path, sr)
            return path

        with AtomicAudioWriter(output_path, final_sr, channels) as writer:
            final = _OutputResampler(writer, final_sr, None, channels, clip)
            if model is None:
                for block in _fixed_length_blocks(
                    at_rate(final_sr, "out.wav"), final_len, channels
                ):
                    final.write(block)
            else:
                source = at_rate(model_sr, "input.wav")
                import soundfile as sf

                length = sf.info(str(source)).frames
                if length == 0:
                    raise AudioLoadError(
                        f"{input_path}: too short, nothing is left at {model_sr} Hz"
                    )
                predicted = _FloatWav(tmp / "model.wav", final_sr, channels, limit=final_len)
                try:
                    sink = _OutputResampler(predicted, model_out_sr, final_sr, channels, clip=False)
                    _run_model_to(
                        model,
                        source,
                        sink,
                        input_path=input_path,
                        length=length,
                        model_sr=model_sr,
                        factor=factor,
                        channels=channels,
                        chunk_length_s=chunk_length_s,
                        context_s=context_s,
                        crossfade_s=crossfade_s,
                        progress=progress,
                        bandwidth=bandwidth,
                        input_sr=file_sr,
                    )
                finally:
                    predicted.close()
                model_blocks = _fixed_length_blocks(predicted.path, final_len, channels)
                if not preserve_input_band:
                    for block in model_blocks:
                        final.write(block)
                else:
                    keep = preserved_cutoff_hz(bandwidth, file_sr, final_sr)
                    replacer = LowBandReplacer(
                        keep, final_sr, channels, low_cutoff_hz=preserved_low_cutoff_hz(bandwidth)
                    )
                    reference = _fixed_length_blocks(
                        at_rate(final_sr, "reference.wav"), final_len, channels
                    )
                    for out_block, ref_block in zip(model_blocks, reference):
                        final.write(replacer.feed(out_block, ref_block))
                    final.write(replacer.flush())
    return {
        "frames_in": frames,
        "sampling_rate_in": file_sr,
        "channels": channels,
        "sampling_rate": final_sr,
        "frames": final_len,
        "clipped_samples": final.clipped,
        "bandwidth_hz": None if bandwidth is None else float(bandwidth.cutoff_hz),
    }
