from .corpus import AudioCorpus, build_corpus, select_files, trim_silence
from .patches import SuperResolutionPatches

__all__ = ["AudioCorpus", "SuperResolutionPatches", "build_corpus", "select_files", "trim_silence"]
