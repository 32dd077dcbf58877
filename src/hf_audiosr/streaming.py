"""File-to-file super-resolution in bounded memory (hour-long recordings).

The input is read chunk by chunk with random access (``SoundFile.seek``), each chunk with context
on both sides, exactly as :func:`~hf_audiosr.pipeline_audio_super_resolution.plan_chunks` plans it
for the in-memory pipeline, so both give the same result. All channels of a chunk go through the
model as one batch. The output is cross-faded at chunk boundaries and written as soon as it is
final, to a temporary file that replaces the target only when complete.

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

from .audio_io import AtomicAudioWriter, AudioLoadError, audio_info, check_audio_path
from .configuration_utils import DEFAULT_CROSSFADE_S
from .chunking import crossfade_weights, plan_model_chunks

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


def upsample_file(
    model,
    input_path: str | os.PathLike,
    output_path: str | os.PathLike,
    *,
    input_sampling_rate: int,
    factor: int,
    target_sampling_rate: int | None = None,
    chunk_length_s: float = 10.0,
    context_s: float | None = None,
    crossfade_s: float = DEFAULT_CROSSFADE_S,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Super-resolve ``input_path`` into ``output_path`` (WAV float or FLAC 16-bit) in bounded memory.

    ``chunk_length_s`` of input go through the model at a time, with ``context_s`` more on each
    side (discarded) and ``crossfade_s`` cross-fades at the seams. ``context_s=None`` takes it
    from the model: its receptive field plus half the cross-fade, at least 0.25 s
    (:func:`~hf_audiosr.configuration_utils.config_chunk_context_s`), so the output matches
    whole-input processing.

    Returns ``{"frames_in", "sampling_rate_in", "channels", "sampling_rate", "clipped_samples"}``.
    ``progress(done, total)`` is called after each chunk, in input-rate samples.
    """
    import soundfile as sf

    if chunk_length_s <= 0 or (context_s is not None and context_s < 0) or crossfade_s < 0:
        raise ValueError(
            "chunk_length_s must be positive and context_s, crossfade_s non-negative, got "
            f"{chunk_length_s}, {context_s}, {crossfade_s}"
        )
    input_path = check_audio_path(input_path)
    frames, file_sr, channels = audio_info(input_path)
    if frames == 0:
        raise AudioLoadError(f"{input_path}: the file contains no samples")
    out_sr = input_sampling_rate * factor
    final_sr = target_sampling_rate or out_sr
    clip = Path(output_path).suffix.lower() == ".flac"
    with tempfile.TemporaryDirectory(prefix="hf-audiosr-") as tmpdir:
        source = input_path
        if file_sr != input_sampling_rate:
            source = Path(tmpdir) / "input.wav"
            _stream_resample(input_path, source, input_sampling_rate)
        with sf.SoundFile(str(source)) as f:
            length = f.frames
            if length == 0:
                raise AudioLoadError(
                    f"{input_path}: too short, nothing is left at {input_sampling_rate} Hz"
                )
            plans = plan_model_chunks(
                model.config,
                length,
                input_sampling_rate,
                factor,
                chunk_length_s,
                context_s,
                crossfade_s,
            )
            dtype = next(model.parameters()).dtype
            device = next(model.parameters()).device
            with AtomicAudioWriter(output_path, final_sr, channels) as writer:
                sink = _OutputResampler(writer, out_sr, target_sampling_rate, channels, clip)
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
                            input_values=torch.from_numpy(np.ascontiguousarray(x)).to(device, dtype)
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
                        crossfade_weights(plans[i + 1], length, factor)[0]
                        if i + 1 < len(plans)
                        else end
                    ) - base
                    if ready > 0:
                        sink.write(
                            acc[:, :ready] / np.maximum(wsum[:, :ready], 1e-12),
                            last=(i + 1 == len(plans)),
                        )
                        acc, wsum, base = acc[:, ready:], wsum[:, ready:], base + ready
                    if progress is not None:
                        progress(plan.keep_stop, length)
    return {
        "frames_in": frames,
        "sampling_rate_in": file_sr,
        "channels": channels,
        "sampling_rate": final_sr,
        "clipped_samples": sink.clipped,
    }
