"""Train an hf-audiosr model: ``python scripts/train.py CONFIG.json [--key value ...]``.

Thin wrapper around :func:`hf_audiosr.training.train` (also ``hf-audiosr train``). Works under
``accelerate launch`` / ``torchrun`` for several processes or GPUs.
"""

import sys

from hf_audiosr.training import train

if __name__ == "__main__":
    result = train(sys.argv[1:])
    print(f"finished at step {result['step']}; best validation LSD {result['best_lsd']:.4f}")
