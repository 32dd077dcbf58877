from .anyband import AnyBandCorpus, AnyBandExamples, build_anyband_corpus, read_manifest
from .corpus import AudioCorpus, build_corpus, select_files, trim_silence
from .folder import (
    SuperResolutionTransform,
    load_audio_folder,
    make_super_resolution_transform,
)
from .patches import SuperResolutionPatches
from .vctk import detect_vctk_version, load_vctk

__all__ = [
    "AnyBandCorpus",
    "AnyBandExamples",
    "AudioCorpus",
    "SuperResolutionPatches",
    "SuperResolutionTransform",
    "build_anyband_corpus",
    "build_corpus",
    "detect_vctk_version",
    "load_audio_folder",
    "load_vctk",
    "make_super_resolution_transform",
    "read_manifest",
    "select_files",
    "trim_silence",
]
