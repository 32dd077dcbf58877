"""Reading and writing audio at the package's edges, with clear errors for bad files.

Decoding goes through soundfile (libsndfile: WAV, FLAC, OGG/Vorbis, MP3 with libsndfile >= 1.1),
so nothing needs FFmpeg. Writing is atomic: a temporary file in the destination folder is renamed
over the target only once it is complete.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3", ".oga", ".aiff", ".aif")
OUTPUT_FORMATS = {".wav": "WAV", ".flac": "FLAC"}


class AudioLoadError(ValueError):
    """An input could not be read as audio; the message says which and why."""


def _describe(source) -> str:
    return str(source) if isinstance(source, (str, os.PathLike)) else f"<{type(source).__name__}>"


def check_audio_path(path: str | os.PathLike) -> Path:
    """``path`` as a Path if it names a non-empty file; else :class:`AudioLoadError` saying why."""
    path = Path(path)
    if not path.exists():
        raise AudioLoadError(f"{path}: no such file")
    if path.is_dir():
        raise AudioLoadError(f"{path}: is a directory, not an audio file")
    if path.stat().st_size == 0:
        raise AudioLoadError(f"{path}: the file is empty (0 bytes)")
    return path


def load_audio(source: str | os.PathLike | bytes, always_2d: bool = True) -> tuple[np.ndarray, int]:
    """Decode a file path or encoded bytes to float32 ``(channels, time)`` and its sampling rate."""
    import soundfile as sf

    name = _describe(source)
    if isinstance(source, (str, os.PathLike)):
        handle = check_audio_path(source)
    elif isinstance(source, (bytes, bytearray)):
        if len(source) == 0:
            raise AudioLoadError("audio bytes are empty")
        handle = io.BytesIO(source)
    else:
        raise AudioLoadError(
            f"cannot read audio from {type(source).__name__}; pass a path or bytes"
        )
    try:
        data, sampling_rate = sf.read(handle, dtype="float32", always_2d=True)
    except PermissionError as err:
        raise AudioLoadError(f"{name}: permission denied") from err
    except (sf.LibsndfileError, RuntimeError, TypeError, EOFError) as err:
        raise AudioLoadError(f"{name}: not a readable audio file ({err})") from err
    if data.shape[0] == 0:
        raise AudioLoadError(f"{name}: the file contains no samples")
    audio = np.ascontiguousarray(data.T)
    return (audio if always_2d else audio.mean(axis=0)), int(sampling_rate)


def audio_info(path: str | os.PathLike) -> tuple[int, int, int]:
    """``(frames, sampling_rate, channels)`` of a file without decoding it."""
    import soundfile as sf

    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError) as err:
        raise AudioLoadError(f"{path}: not a readable audio file ({err})") from err
    return int(info.frames), int(info.samplerate), int(info.channels)


def iter_blocks(
    path: str | os.PathLike, block_frames: int, overlap: int = 0
) -> Iterator[np.ndarray]:
    """Read a file as float32 ``(channels, frames)`` blocks without loading it whole."""
    import soundfile as sf

    try:
        with sf.SoundFile(str(path)) as f:
            for block in f.blocks(
                blocksize=block_frames, overlap=overlap, dtype="float32", always_2d=True
            ):
                yield np.ascontiguousarray(block.T)
    except (sf.LibsndfileError, RuntimeError) as err:
        raise AudioLoadError(f"{path}: not a readable audio file ({err})") from err


def output_format(path: str | os.PathLike) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUT_FORMATS:
        raise ValueError(f"{path}: output must end in one of {sorted(OUTPUT_FORMATS)}")
    return OUTPUT_FORMATS[suffix]


class AtomicAudioWriter:
    """Write audio block by block to a temporary file, renamed over ``path`` on success only."""

    def __init__(self, path: str | os.PathLike, sampling_rate: int, channels: int):
        import soundfile as sf

        self.path = Path(path)
        fmt = output_format(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".part", dir=self.path.parent
        )
        os.close(fd)
        self.tmp = Path(tmp)
        subtype = "PCM_16" if fmt == "FLAC" else "FLOAT"
        self._file = sf.SoundFile(
            str(self.tmp),
            "w",
            samplerate=sampling_rate,
            channels=channels,
            format=fmt,
            subtype=subtype,
        )

    def write(self, block: np.ndarray) -> None:
        """``block`` is ``(channels, frames)`` float."""
        self._file.write(np.ascontiguousarray(np.asarray(block, dtype=np.float32).T))

    def close(self) -> None:
        self._file.close()
        # mkstemp creates the file as 0600; give the result the permissions a plain open() would
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self.tmp, 0o666 & ~umask)
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self._file.close()
        self.tmp.unlink(missing_ok=True)

    def __enter__(self) -> AtomicAudioWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def write_audio(path: str | os.PathLike, audio: np.ndarray, sampling_rate: int) -> Path:
    """Write ``(time,)`` or ``(channels, time)`` audio atomically as WAV (float) or FLAC (16-bit)."""
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim == 1:
        audio = audio[None]
    with AtomicAudioWriter(path, sampling_rate, audio.shape[0]) as writer:
        writer.write(audio)
    return Path(path)


def find_audio_files(paths, recursive: bool = True) -> list[Path]:
    """Expand files and folders into a sorted list of audio files (by extension)."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            pattern = "**/*" if recursive else "*"
            found.extend(
                f
                for f in sorted(p.glob(pattern))
                if f.is_file() and f.suffix.lower() in AUDIO_EXTENSIONS
            )
        else:
            found.append(p)
    return found
