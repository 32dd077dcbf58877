"""The VCTK corpus with the train/test splits that audio super-resolution papers publish.

:func:`load_vctk` reads a local VCTK tree, without decoding any audio, into a
``datasets.DatasetDict`` with the columns of :func:`hf_audiosr.data.load_audio_folder`
(``audio`` as ``Audio(decode=False)``, ``speaker``, ``utterance_id``, ``text``, ``path``):

* VCTK 0.92 (CC BY 4.0): ``wav48_silence_trimmed/<spk>/<spk>_<utt>_mic1.flac`` and ``..._mic2.flac``
  (110 speakers, two microphones), transcripts in ``txt/<spk>/<spk>_<utt>.txt``.
* VCTK 0.80: ``wav48/<spk>/<spk>_<utt>.wav`` (109 speakers, one microphone: the omni-directional
  one that 0.92 calls ``mic1``), transcripts in ``txt/``.

The published splits (``split=``):

``"nuwave"`` (default)
    The multi-speaker protocol of NU-Wave (Lee & Han, Interspeech 2021), NU-Wave 2 (Han & Lee,
    Interspeech 2022) and the papers that compare with them (AERO, UDM+, mdctGAN, AP-BWE): VCTK
    0.92, ``mic1``; speakers p280 and p315 removed (maum-ai/nuwave2 README, "Preprocessing" step
    2); of the 108 speakers left, in sorted order, the first 100 train and the last 8 test:
    p360 p361 p362 p363 p364 p374 p376 s5 (maum-ai/nuwave2 README: ``cv_ratio: (100./108.,
    8./108., 0.00)``, "train/val(=test)"). No validation split (NU-Wave 2 validates on its test
    split). These are the test speakers of the numbers in ``EVALUATION.md``.

``"kuleshov-single"``
    Kuleshov, Enam & Ermon, "Audio Super Resolution using Neural Networks" (ICLR 2017 workshop),
    single-speaker task, as defined in kuleshov/audio-super-res ``data/vctk/speaker1/``: only
    speaker p225 of VCTK 0.80 ``wav48``; the ``Makefile`` lists the files with ``ls`` and puts the
    last ``N_VAL_PHRASES=8`` in ``speaker1-val-files.txt`` and the rest in
    ``speaker1-train-files.txt``. The committed lists (commit da541f5; the val file repeats its
    8 names four times) give the 8 held-out utterances: p225_355 p225_356 p225_357 p225_358
    p225_359 p225_363 p225_365 p225_366, and as training files every other p225 recording up to
    p225_354 (p225 has 231 recordings, so 223 train / 8 held out). The repository calls them
    ``val``; the paper reports them as its test set, so here they are the ``test`` split. They are
    matched by utterance id, so the split is the same on 0.92.

``"kuleshov-multi"``
    The same paper's multi-speaker task, kuleshov/audio-super-res ``data/vctk/multispeaker/``:
    the ``Makefile`` takes ``ls wav48 | head -n 100`` (``N_TRAIN_SPEAKERS=100``) for training
    and ``ls wav48 | tail -n 9`` (``N_VAL_SPEAKERS=9``) for evaluation; the committed
    ``train-speakers.txt`` / ``val-speakers.txt`` (commit da541f5) hold those lists, p225 ...
    p345 (100 speakers, p280 and p315 included) and p347 p351 p360 p361 p362 p363 p364 p374 p376
    (9 speakers). This module uses those two lists as written. Note the counts quoted elsewhere
    differ: the repository README says "the last 8 VCTK speakers for evaluation", and "99
    speakers" is also quoted for training; 99 is how many of the 100 have transcripts (p315 has
    none), which may be where it comes from. Pass ``exclude_speakers=("p315",)`` for a 99/9
    variant. Speakers on
    neither list (s5, only in 0.92) are left out. Evaluation speakers are the ``test`` split.

``"all"``
    Every speaker in ``train``.

Which protocol made the low-resolution inputs matters as much as the split: see
:func:`hf_audiosr.data.make_super_resolution_transform` (``protocol="cheby"`` for Kuleshov,
``"sinc"`` for the AP-BWE table in ``EVALUATION.md``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from transformers.utils import logging

from .folder import read_text, records_to_dataset

logger = logging.get_logger(__name__)

VCTK_SPLITS = ("nuwave", "kuleshov-single", "kuleshov-multi", "all")
VCTK_MICS = ("mic1", "mic2")
VCTK_AUDIO_FOLDERS = {"0.92": "wav48_silence_trimmed", "0.80": "wav48"}

NUWAVE_TEST_SPEAKERS = ("p360", "p361", "p362", "p363", "p364", "p374", "p376", "s5")
NUWAVE_REMOVED_SPEAKERS = ("p280", "p315")

KULESHOV_SINGLE_SPEAKER = "p225"
KULESHOV_SINGLE_TEST_UTTERANCES = (
    "p225_355",
    "p225_356",
    "p225_357",
    "p225_358",
    "p225_359",
    "p225_363",
    "p225_365",
    "p225_366",
)
# The first 100 speaker folders of VCTK 0.80 ``wav48`` in ``ls`` order, i.e. p225 ... p345.
KULESHOV_MULTI_TRAIN_SPEAKERS = tuple(
    f"p{n}"
    for n in (
        *range(225, 235),
        *range(236, 242),
        *range(243, 289),
        *range(292, 296),
        *range(297, 309),
        *range(310, 319),
        323,
        326,
        329,
        330,
        *range(333, 337),
        339,
        340,
        341,
        343,
        345,
    )
)
KULESHOV_MULTI_TEST_SPEAKERS = (
    "p347",
    "p351",
    "p360",
    "p361",
    "p362",
    "p363",
    "p364",
    "p374",
    "p376",
)

_FILE_NAME = re.compile(r"^(?P<utt>(?P<spk>[a-z]+\d+)_\d+)(?:_(?P<mic>mic\d))?$")


def _split_of(split: str, speaker: str, utterance_id: str) -> str | None:
    """Which split a recording belongs to under a named protocol (``None``: left out)."""
    if split == "all":
        return "train"
    if split == "nuwave":
        if speaker in NUWAVE_REMOVED_SPEAKERS:
            return None
        return "test" if speaker in NUWAVE_TEST_SPEAKERS else "train"
    if split == "kuleshov-single":
        if speaker != KULESHOV_SINGLE_SPEAKER:
            return None
        return "test" if utterance_id in KULESHOV_SINGLE_TEST_UTTERANCES else "train"
    if split == "kuleshov-multi":
        if speaker in KULESHOV_MULTI_TRAIN_SPEAKERS:
            return "train"
        return "test" if speaker in KULESHOV_MULTI_TEST_SPEAKERS else None
    raise ValueError(f"split must be one of {VCTK_SPLITS}, got {split!r}")


def _find_root(root: Path) -> tuple[Path, list[str]]:
    """The folder holding ``wav48_silence_trimmed/`` or ``wav48/`` (``root`` or one level down)
    and the versions found there."""

    def versions(folder: Path) -> list[str]:
        return [v for v, name in VCTK_AUDIO_FOLDERS.items() if (folder / name).is_dir()]

    if versions(root):
        return root, versions(root)
    inner = [child for child in sorted(root.iterdir()) if child.is_dir() and versions(child)]
    if len(inner) == 1:
        logger.info("using the VCTK tree in %s", inner[0])
        return inner[0], versions(inner[0])
    raise ValueError(
        f"{root} is not a VCTK folder: it has neither wav48_silence_trimmed/ (VCTK 0.92) nor "
        "wav48/ (VCTK 0.80)"
    )


def detect_vctk_version(root: str | os.PathLike) -> str:
    """``"0.92"`` or ``"0.80"``, from the audio folder present under ``root`` (0.92 if both)."""
    return _find_root(Path(root).expanduser())[1][0]


def _scan(root: Path, version: str, mic: str) -> list[dict]:
    audio_root = root / VCTK_AUDIO_FOLDERS[version]
    records, skipped = [], 0
    for speaker_dir in sorted(p for p in audio_root.iterdir() if p.is_dir()):
        for file in sorted(speaker_dir.iterdir()):
            match = _FILE_NAME.match(file.stem)
            if file.suffix.lower() not in (".flac", ".wav") or not match:
                skipped += file.is_file()
                continue
            # 0.92 names carry the microphone; 0.80 has one microphone and no suffix.
            if match["mic"] != (mic if version == "0.92" else None):
                continue
            speaker, utterance_id = match["spk"], match["utt"]
            records.append(
                {
                    "speaker": speaker,
                    "utterance_id": utterance_id,
                    "text": read_text(root / "txt" / speaker / f"{utterance_id}.txt"),
                    "path": str(file.resolve()),
                }
            )
    if skipped:
        logger.info("ignored %d files under %s that are not VCTK recordings", skipped, audio_root)
    return records


def _looks_like_path(name: str) -> bool:
    return (
        os.path.isabs(name)
        or name.startswith((".", "~"))
        or "\\" in name
        or name.count("/") > 1
        or name.endswith("/")
    )


def _hub_offline_flags() -> tuple[bool, bool]:
    """(offline according to the environment, offline according to the loaded libraries)."""
    env = any(
        os.environ.get(var, "").strip().upper() in {"1", "ON", "YES", "TRUE"}
        for var in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")
    )
    import datasets.config
    import huggingface_hub.constants

    libraries = bool(huggingface_hub.constants.HF_HUB_OFFLINE or datasets.config.HF_HUB_OFFLINE)
    return env, libraries


def _hub_unreachable(hub_id: str) -> ConnectionError:
    return ConnectionError(
        f"Could not load {hub_id!r}: it is not a local folder, so it was taken for a Hugging Face "
        "Hub dataset id, but the Hugging Face Hub could not be reached (offline mode "
        "HF_HUB_OFFLINE=1, or no network). To use a local VCTK copy instead, download VCTK "
        "(https://datashare.ed.ac.uk/handle/10283/3443), extract it and pass the folder that "
        "contains wav48_silence_trimmed/ (0.92) or wav48/ (0.80) and txt/, e.g. "
        "load_vctk('/data/VCTK-Corpus-0.92')."
    )


def _load_from_hub(hub_id: str, split: str, exclude: set[str], hub_kwargs: dict):
    import datasets

    env_offline, libraries_offline = _hub_offline_flags()
    if env_offline and not libraries_offline:
        # HF_HUB_OFFLINE was set after huggingface_hub / datasets were imported: they would
        # still go online, so do not call them.
        raise _hub_unreachable(hub_id)
    try:
        loaded = datasets.load_dataset(hub_id, **hub_kwargs)
    except Exception as err:
        if libraries_offline or isinstance(err, (ConnectionError, TimeoutError)):
            raise _hub_unreachable(hub_id) from err
        raise
    if isinstance(loaded, datasets.Dataset):
        loaded = datasets.DatasetDict({"train": loaded})
    if not isinstance(loaded, datasets.DatasetDict):
        raise ValueError(
            f"load_vctk needs a map-style dataset from the Hub, got {type(loaded).__name__} "
            "(do not pass streaming=True)"
        )
    full = datasets.concatenate_datasets(list(loaded.values()))
    if "speaker" not in full.column_names and "speaker_id" in full.column_names:
        full = full.rename_column("speaker_id", "speaker")
    if "audio" in full.column_names:
        full = full.cast_column("audio", datasets.Audio(decode=False))
    if "speaker" not in full.column_names:
        logger.warning(
            "%s has no speaker column: split=%r cannot be applied, returning its own splits",
            hub_id,
            split,
        )
        return loaded
    speakers = [str(s) for s in full["speaker"]]
    if "utterance_id" in full.column_names:
        utterances = [str(u) for u in full["utterance_id"]]
    elif "text_id" in full.column_names:
        utterances = [f"{s}_{t}" for s, t in zip(speakers, full["text_id"])]
    elif split == "kuleshov-single":
        raise ValueError(
            f"{hub_id} has no utterance_id or text_id column: split={split!r} needs one"
        )
    else:
        utterances = [""] * len(speakers)
    indices: dict[str, list[int]] = {}
    for i, (speaker, utterance) in enumerate(zip(speakers, utterances)):
        name = None if speaker in exclude else _split_of(split, speaker, utterance)
        if name is not None:
            indices.setdefault(name, []).append(i)
    return datasets.DatasetDict(
        {name: full.select(indices.get(name, [])) for name in _split_names(split)}
    )


def _split_names(split: str) -> tuple[str, ...]:
    return ("train",) if split == "all" else ("train", "test")


def load_vctk(
    root_or_hub_id: str | os.PathLike,
    *,
    split: str = "nuwave",
    mic: str = "mic1",
    version: str | None = None,
    exclude_speakers: Sequence[str] = (),
    hub_kwargs: dict | None = None,
):
    """VCTK as a ``datasets.DatasetDict`` split by a published protocol (module docstring).

    Args:
        root_or_hub_id: a local VCTK folder (the one that holds ``wav48_silence_trimmed/`` or
            ``wav48/``, or its parent), or a Hugging Face Hub dataset id, loaded with
            ``datasets.load_dataset(root_or_hub_id, **hub_kwargs)`` and then split by its
            ``speaker`` / ``speaker_id`` column (and ``text_id`` for ``kuleshov-single``). Offline,
            a Hub id fails at once with a ``ConnectionError`` that says how to pass a local tree.
        split: ``"nuwave"``, ``"kuleshov-single"``, ``"kuleshov-multi"`` or ``"all"``.
        mic: ``"mic1"`` or ``"mic2"`` (VCTK 0.92; 0.80 has only ``mic1``). Not applied to Hub
            datasets.
        version: ``"0.92"`` or ``"0.80"``; ``None`` detects it (0.92 when a folder has both).
        exclude_speakers: speakers to leave out of every split.
        hub_kwargs: extra keyword arguments for ``datasets.load_dataset``.

    Returns:
        A ``DatasetDict`` with ``train`` and ``test`` (only ``train`` for ``split="all"``), rows
        sorted by speaker and utterance, columns ``audio`` (``Audio(decode=False)``),
        ``speaker``, ``utterance_id`` (``"p225_001"``), ``text`` (``""`` without a transcript)
        and ``path``. Nothing is decoded; use ``make_super_resolution_transform`` for training
        pairs.
    """
    from datasets import DatasetDict

    if split not in VCTK_SPLITS:
        raise ValueError(f"split must be one of {VCTK_SPLITS}, got {split!r}")
    if mic not in VCTK_MICS:
        raise ValueError(f"mic must be one of {VCTK_MICS}, got {mic!r}")
    if version is not None and version not in VCTK_AUDIO_FOLDERS:
        raise ValueError(
            f"version must be one of {tuple(VCTK_AUDIO_FOLDERS)} or None, got {version!r}"
        )
    exclude = set(exclude_speakers)

    local = isinstance(root_or_hub_id, os.PathLike) or _looks_like_path(str(root_or_hub_id))
    path = Path(root_or_hub_id).expanduser()
    if not path.is_dir():
        if path.exists():
            raise ValueError(f"{path} is a file; pass the VCTK folder")
        if local:
            raise FileNotFoundError(
                f"{path}: no such folder (pass a VCTK folder that contains "
                "wav48_silence_trimmed/ or wav48/)"
            )
        return _load_from_hub(str(root_or_hub_id), split, exclude, dict(hub_kwargs or {}))

    root, found = _find_root(path)
    if version is None:
        version = found[0]
        if len(found) > 1:
            logger.info("%s has both VCTK 0.92 and 0.80 audio; using 0.92", root)
    elif version not in found:
        raise ValueError(
            f"{root} has no {VCTK_AUDIO_FOLDERS[version]}/ folder (VCTK {version}); found {found}"
        )
    if version == "0.80" and mic != "mic1":
        raise ValueError(
            f"VCTK 0.80 ({root / 'wav48'}) has a single microphone; mic={mic!r} needs VCTK 0.92 "
            "(wav48_silence_trimmed/)"
        )

    records = _scan(root, version, mic)
    if not records:
        raise ValueError(f"no {mic} recordings under {root / VCTK_AUDIO_FOLDERS[version]}")
    if split == "kuleshov-single" and not any(
        r["speaker"] == KULESHOV_SINGLE_SPEAKER for r in records
    ):
        raise ValueError(f"split='kuleshov-single' needs speaker p225, which is not under {root}")

    by_split: dict[str, list[dict]] = {name: [] for name in _split_names(split)}
    left_out: set[str] = set()
    for record in records:
        name = None
        if record["speaker"] not in exclude:
            name = _split_of(split, record["speaker"], record["utterance_id"])
        if name is None:
            left_out.add(record["speaker"])
        else:
            by_split[name].append(record)
    for name, rows in by_split.items():
        rows.sort(key=lambda r: (r["speaker"], r["utterance_id"]))
        if not rows:
            logger.warning("VCTK %s split=%r: the %s split is empty", version, split, name)
    logger.info(
        "VCTK %s (%s) split=%r: %s; left out: %s",
        version,
        mic,
        split,
        ", ".join(f"{len(rows)} {name}" for name, rows in by_split.items()),
        " ".join(sorted(left_out)) or "none",
    )
    return DatasetDict({name: records_to_dataset(rows) for name, rows in by_split.items()})
