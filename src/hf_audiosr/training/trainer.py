"""The training loop: Accelerate only, so one CPU or many GPUs run the same code.

Checkpoints are written to a temporary folder and renamed into place once complete (a
``COMPLETE`` marker inside makes it explicit), so a run killed at any moment resumes from the last
whole checkpoint; the patch dataset is a pure function of the item index and the loop resumes with
``skip_first_batches``, so a resumed run sees exactly the batches an uninterrupted one would.

Two ways of computing the generator's loss:

* waveform losses (the default): ``l2`` and multi-resolution STFT terms (``stft/sc``,
  ``stft/mag``) on ``model(input_values).audio_values`` against the labels;
* the model's own loss, for models whose class sets ``trains_on_own_loss = True`` (the spectrogram
  model: a high-band log-magnitude L1 with no Griffin-Lim): ``model(input_values, labels).loss``,
  logged as ``model``.

With ``adversarial=True`` a discriminator (:mod:`.discriminators`) and its own optimizer and
schedule are built and ``accelerator.prepare``d after the generator's (so ``save_state`` writes the
generator as ``model.safetensors`` and the discriminator as ``model_1.safetensors``). From step
``adversarial_start_step`` on, every step first updates the discriminator on the detached
generator output (``adv/disc``), then adds ``adv/gen`` and ``adv/feat`` from the updated, frozen
discriminator to the generator's loss. All terms are weighted by
:attr:`SuperResolutionTrainingArguments.loss_weights`. Exports (``best/``, ``final/``) hold the
generator only.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from pathlib import Path

import numpy as np
import torch
from accelerate import Accelerator
from accelerate.utils import gather_object, set_seed
from torch.utils.data import DataLoader
from tqdm.auto import tqdm
from transformers.utils import logging

from ..bundled import recipe_total_steps
from ..cpu import resolve_mixed_precision
from ..data.anyband import (
    AnyBandCorpus,
    AnyBandExamples,
    band_limit,
    build_anyband_corpus,
    files_from_dirs,
    path_weights,
    read_manifest,
)
from ..data.corpus import AudioCorpus, build_corpus, corpus_fingerprint, select_files
from ..data.patches import SuperResolutionPatches
from ..distributed import cpu_only_distributed
from ..dsp import degrade
from ..feature_extraction_audiosr import AudioSRFeatureExtractor
from ..metrics.functional import lsd, snr
from ..metrics.losses import MultiResolutionSTFTLoss
from ..models import build_config, build_model
from .adversarial import discriminator_losses, generator_adversarial_losses
from .arguments import SuperResolutionTrainingArguments
from .discriminators import CombinedDiscriminator
from .losses import MaskedMultiResolutionSTFTLoss, band_limit_torch

logger = logging.get_logger(__name__)

CHECKPOINT_PREFIX = "step_"
COMPLETE_MARKER = "COMPLETE"
STATE_FILE = "trainer_state.json"


def load_or_build_corpus(
    dirs: list[str],
    include: list[str],
    exclude: list[str],
    sampling_rate: int,
    trim_db: float | None,
    cache_dir: str,
    prebuilt: str | None,
) -> AudioCorpus:
    if prebuilt:
        corpus = AudioCorpus.load(prebuilt)
        if corpus.sampling_rate != sampling_rate:
            raise ValueError(
                f"{prebuilt} is at {corpus.sampling_rate} Hz, the run needs {sampling_rate} Hz"
            )
        return corpus
    files = select_files(dirs, include or None, exclude or None)
    if not files:
        raise ValueError(f"no audio files found in {dirs} (include={include}, exclude={exclude})")
    cache = Path(cache_dir) / f"corpus-{corpus_fingerprint(files, sampling_rate, trim_db)}.npz"
    if not cache.exists():
        build_corpus(files, sampling_rate, trim_db).save(cache)
    # Always train on the cached (int16) copy, also right after building it: a run that is
    # resumed, or a second process, reads the cache, and must see exactly the same samples.
    return AudioCorpus.load(cache)


def load_anyband_corpus(args: SuperResolutionTrainingArguments) -> AnyBandCorpus:
    """The any-band training corpus at the model's rate: the manifest's (licence-filtered) rows
    under ``train_dirs`` (all of them without ``train_dirs``), or every file of ``train_dirs``
    as speech at its own rate's band when there is no manifest."""
    include, exclude = args.train_include or None, args.train_exclude or None
    if args.train_manifest:
        files = read_manifest(
            args.train_manifest,
            kinds=args.train_kind_list,
            allow_noncommercial=args.allow_noncommercial,
            allow_unconfirmed=args.allow_unconfirmed,
            include=include,
            exclude=exclude,
        )
        if args.train_dirs:
            roots = [Path(d).resolve() for d in args.train_dirs]
            files = [
                f
                for f in files
                if any(r == f.path.resolve() or r in f.path.resolve().parents for r in roots)
            ]
    else:
        files = files_from_dirs(args.train_dirs, include, exclude)
    if not files:
        raise ValueError(
            f"no training files (train_manifest={args.train_manifest}, train_dirs="
            f"{args.train_dirs}, include={args.train_include}, exclude={args.train_exclude})"
        )
    return build_anyband_corpus(
        files, args.output_sampling_rate, args.trim_silence_db, cache_dir=args.corpus_cache_dir
    )


def complete_checkpoints(output_dir: Path) -> list[Path]:
    ckpt_root = output_dir / "checkpoints"
    if not ckpt_root.is_dir():
        return []
    found = [
        p
        for p in ckpt_root.iterdir()
        if p.is_dir() and p.name.startswith(CHECKPOINT_PREFIX) and (p / COMPLETE_MARKER).exists()
    ]
    return sorted(found, key=lambda p: int(p.name[len(CHECKPOINT_PREFIX) :]))


def lr_lambda(step: int, warmup: int, total: int, min_ratio: float) -> float:
    if step < warmup:
        return (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * progress))


class SuperResolutionTrainer:
    def __init__(self, args: SuperResolutionTrainingArguments):
        self.args = args
        self.output_dir = Path(args.output_dir)
        cpu_only = cpu_only_distributed()
        on_cpu = cpu_only or os.environ.get("ACCELERATE_USE_CPU", "").lower() in ("1", "true")
        self.accelerator = Accelerator(
            # bf16 only where the CPU runs it natively (else "no", with a warning)
            mixed_precision=resolve_mixed_precision(
                args.mixed_precision, "cpu" if on_cpu else None
            ),
            cpu=cpu_only,
        )
        world_size = int(os.environ.get("WORLD_SIZE", "1"))
        if world_size > 1 and self.accelerator.num_processes == 1:
            raise RuntimeError(
                f"launched as {world_size} processes (WORLD_SIZE) but Accelerate set up a "
                "single-process run: every process would train on its own"
            )
        if args.torch_threads:
            torch.set_num_threads(args.torch_threads)
        set_seed(args.seed)
        overrides = json.loads(args.model_overrides or "{}")
        self.config = build_config(
            args.architecture,
            args.preset,
            input_sampling_rate=args.input_sampling_rate,
            output_sampling_rate=args.output_sampling_rate,
            **overrides,
        )
        self.model = build_model(self.config)
        # Steps behind the initial weights (0 from scratch, None when init_from's are unknown), so
        # an exported recipe can state the whole training a checkpoint has had.
        self.init_steps: int | None = 0
        if args.init_from:
            self._load_initial_weights(args.init_from)
        # Built after the generator, so a generator's initial weights do not depend on whether the
        # run is adversarial.
        self.discriminator = (
            CombinedDiscriminator(
                args.discriminator_names,
                channels=args.discriminator_channels,
                periods=args.discriminator_period_list,
                fft_sizes=args.discriminator_fft_size_list,
            )
            if args.adversarial
            else None
        )
        self.trains_on_own_loss = bool(getattr(self.model, "trains_on_own_loss", False))
        self.feature_extractor = AudioSRFeatureExtractor(
            sampling_rate=args.input_sampling_rate,
            output_sampling_rate=args.output_sampling_rate,
            interpolation=self.config.interpolation,
        )
        self.anyband = args.data_mode == "anyband"
        self.anyband_corpus = None
        if self.anyband and not getattr(self.config, "conditions_on_bandwidth", False):
            raise ValueError(
                f"data_mode 'anyband' needs a model told its input's bandwidth "
                f"(conditions_on_bandwidth, e.g. bandnext), not {args.architecture!r}"
            )
        with self.accelerator.main_process_first():
            if self.anyband:
                self.anyband_corpus = load_anyband_corpus(args)
                self.train_corpus = self.anyband_corpus.corpus
            else:
                self.train_corpus = self._patch_corpus()
            self.validation_corpus = None
            if args.validation_dirs or args.validation_corpus:
                self.validation_corpus = load_or_build_corpus(
                    args.validation_dirs,
                    args.validation_include,
                    args.validation_exclude,
                    args.output_sampling_rate,
                    args.trim_silence_db,
                    args.corpus_cache_dir,
                    args.validation_corpus,
                )
        self.stft_loss = MultiResolutionSTFTLoss()
        self.masked_loss = MaskedMultiResolutionSTFTLoss(args.output_sampling_rate)
        self.num_parameters = sum(p.numel() for p in self.model.parameters())

    def _patch_corpus(self) -> AudioCorpus:
        args = self.args
        return load_or_build_corpus(
            args.train_dirs,
            args.train_include,
            args.train_exclude,
            args.output_sampling_rate,
            args.trim_silence_db,
            args.corpus_cache_dir,
            args.train_corpus,
        )

    def _load_initial_weights(self, name_or_path: str) -> None:
        """Fine-tuning: copy a saved model's weights; its config must match this run's."""
        from ..loading import load_model

        source = load_model(name_or_path)
        if source.config.to_diff_dict() != self.config.to_diff_dict():
            mine, theirs = self.config.to_diff_dict(), source.config.to_diff_dict()
            diff = sorted(
                k
                for k in set(mine) | set(theirs)
                if mine.get(k) != theirs.get(k)
                and k not in ("architectures", "dtype", "transformers_version")
            )
            if diff:
                raise ValueError(
                    f"init_from {name_or_path}: its config differs from this run's in {diff}"
                )
        self.model.load_state_dict(source.state_dict())
        self.init_steps = recipe_total_steps(Path(source.name_or_path))

    # ------------------------------------------------------------------ helpers
    @property
    def steps_per_epoch(self) -> int:
        if self.args.steps_per_epoch:
            return self.args.steps_per_epoch
        samples = self.train_corpus.offsets[-1]
        per_step = self.args.batch_size * self.args.segment_length * self.accelerator.num_processes
        return max(1, int(math.ceil(samples / per_step)))

    def compute_losses(
        self, estimate: torch.Tensor, labels: torch.Tensor
    ) -> dict[str, torch.Tensor]:
        estimate = estimate.float()
        labels = labels.float()
        losses = {"l2": torch.nn.functional.mse_loss(estimate, labels)}
        losses.update(self.stft_loss(estimate, labels))
        return losses

    def total_loss(self, losses: dict[str, torch.Tensor]) -> torch.Tensor:
        weights = self.args.loss_weights
        return sum(weights[k] * v for k, v in losses.items() if weights.get(k, 0) > 0)

    def generator_forward(self, model, batch) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """The generator's output waveform and its (reconstruction) losses for one batch."""
        if self.anyband:
            with self.accelerator.autocast():
                out = model(
                    input_values=batch["input_values"],
                    input_bandwidth_hz=batch["input_bandwidth_hz"],
                )
            losses = self.masked_loss(
                out.audio_values, batch["labels"], batch["target_bandwidth_hz"]
            )
            return out.audio_values, losses
        if self.trains_on_own_loss:
            with self.accelerator.autocast():
                out = model(input_values=batch["input_values"], labels=batch["labels"])
            return out.audio_values, {"model": out.loss.float()}
        with self.accelerator.autocast():
            out = model(input_values=batch["input_values"])
        return out.audio_values, self.compute_losses(out.audio_values, batch["labels"])

    def discriminator_step(
        self, discriminator, optimizer, scheduler, real: torch.Tensor, fake: torch.Tensor
    ) -> dict[str, torch.Tensor]:
        """One discriminator update on ``fake`` detached; returns ``{"adv/disc": loss}``."""
        acc = self.accelerator
        with acc.autocast():
            losses = discriminator_losses(discriminator, real, fake)
        acc.backward(losses["adv/disc"])
        if self.args.max_grad_norm > 0:
            acc.clip_grad_norm_(discriminator.parameters(), self.args.max_grad_norm)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        return losses

    def adversarial_losses(
        self, discriminator, real: torch.Tensor, fake: torch.Tensor
    ) -> dict[str, torch.Tensor]:
        """``adv/gen`` and ``adv/feat`` from the (bare, frozen) discriminator."""
        with self.accelerator.autocast():
            return generator_adversarial_losses(
                self.accelerator.unwrap_model(discriminator), real, fake
            )

    def discriminator_input(self, batch, audio_values: torch.Tensor) -> torch.Tensor:
        """What the discriminators see of the generator's output: in any-band training, cut to
        each example's target band (the real audio holds nothing above it either)."""
        if not self.anyband:
            return audio_values
        return band_limit_torch(
            audio_values.float(), batch["target_bandwidth_hz"].float(), self.config.sampling_rate
        )

    def validation_items(self) -> list[tuple]:
        """Deterministic (low, high) pairs: each held-out utterance, cut to ``validation_max_seconds``,
        degraded by band-limited (sinc) resampling, the evaluation protocol. Any-band: ``(low,
        high, cutoff)`` triples, every utterance at each of ``validation_cutoffs_hz``, ``low`` at
        the model's rate."""
        corpus = self.validation_corpus
        if corpus is None:
            return []
        if self.anyband:
            rate = corpus.sampling_rate
            max_len = int(self.args.validation_max_seconds * rate)
            items = []
            for i in range(min(len(corpus), self.args.validation_max_files)):
                high = corpus.utterance(i).astype(np.float64)[:max_len]
                for cutoff in self.args.validation_cutoff_list:
                    low = band_limit(high, rate, cutoff)
                    items.append((low.astype(np.float32), high.astype(np.float32), cutoff))
            return items
        factor = self.config.upsampling_factor
        max_len = int(self.args.validation_max_seconds * corpus.sampling_rate) // factor * factor
        items = []
        for i in range(min(len(corpus), self.args.validation_max_files)):
            high = corpus.utterance(i).astype(np.float64)[:max_len]
            high = high[: len(high) // factor * factor]
            low = degrade(high, corpus.sampling_rate, self.config.input_sampling_rate, "sinc")
            items.append((low.astype(np.float32), high.astype(np.float32)))
        return items

    @torch.no_grad()
    def validate(self, model, items) -> dict[str, float]:
        # The bare model, not the DistributedDataParallel wrapper: its forward may broadcast
        # buffers, a collective that hangs when the ranks hold different numbers of items.
        model = self.accelerator.unwrap_model(model)
        model.eval()
        mine = items[self.accelerator.process_index :: self.accelerator.num_processes]
        rows = []
        for item in mine:
            low, high = item[0], item[1]
            x = torch.from_numpy(low)[None].to(self.accelerator.device)
            kwargs = {"input_bandwidth_hz": float(item[2])} if self.anyband else {}
            est = model(input_values=x, **kwargs).audio_values[0].float().cpu().numpy()
            rows.append((lsd(high, est), snr(high, est)))
        model.train()
        rows = gather_object(rows)
        if not rows:
            return {}
        arr = np.array(rows, dtype=np.float64)
        return {
            "val/lsd": float(arr[:, 0].mean()),
            "val/snr": float(arr[:, 1].mean()),
            "val/n": len(rows),
        }

    def save_checkpoint(self, step: int, extra: dict) -> None:
        acc = self.accelerator
        ckpt_root = self.output_dir / "checkpoints"
        final = ckpt_root / f"{CHECKPOINT_PREFIX}{step:07d}"
        tmp = ckpt_root / f".tmp-{CHECKPOINT_PREFIX}{step:07d}"
        if acc.is_main_process:
            shutil.rmtree(tmp, ignore_errors=True)
        acc.wait_for_everyone()
        acc.save_state(str(tmp))
        acc.wait_for_everyone()
        if acc.is_main_process:
            (tmp / STATE_FILE).write_text(json.dumps({"step": step, **extra}, indent=2))
            (tmp / COMPLETE_MARKER).write_text("ok\n")
            shutil.rmtree(final, ignore_errors=True)
            os.replace(tmp, final)
            for old in complete_checkpoints(self.output_dir)[: -self.args.keep_checkpoints]:
                shutil.rmtree(old, ignore_errors=True)
        acc.wait_for_everyone()

    def export(self, model, name: str, metrics: dict, step: int) -> Path:
        """Save a loadable model folder: weights (safetensors), config, feature extractor, recipe."""
        out = self.output_dir / name
        if self.accelerator.is_main_process:
            tmp = self.output_dir / f".tmp-{name}"
            shutil.rmtree(tmp, ignore_errors=True)
            unwrapped = self.accelerator.unwrap_model(model)
            unwrapped.save_pretrained(tmp, safe_serialization=True)
            self.feature_extractor.save_pretrained(tmp)
            recipe = {
                "step": step,
                # this run's steps plus those behind its init_from weights (None: not known)
                "total_steps": None if self.init_steps is None else step + self.init_steps,
                "metrics": metrics,
                "num_parameters": self.num_parameters,
                "train_corpus_minutes": round(self.train_corpus.duration_s / 60, 2),
                "train_files": len(self.train_corpus),
                "validation_files": len(self.validation_corpus) if self.validation_corpus else 0,
                "args": self.args.to_dict(),
                # what ran: bf16 falls back to "no" on a CPU without native bf16
                "mixed_precision": self.accelerator.mixed_precision,
            }
            (tmp / "training_recipe.json").write_text(json.dumps(recipe, indent=2))
            shutil.rmtree(out, ignore_errors=True)
            os.replace(tmp, out)
        self.accelerator.wait_for_everyone()
        return out

    def export_final(self, model, history: list[dict], step: int, has_validation: bool) -> None:
        """``final/`` (and ``best/`` when there is no validation set to choose one)."""
        final_metrics = history[-1] if history else {}
        self.export(model, "final", final_metrics, step)
        if not has_validation:
            self.export(model, "best", final_metrics, step)

    # ------------------------------------------------------------------ loop
    def make_optimizer(self, module, learning_rate: float, total_steps: int):
        """AdamW and the warmup + cosine schedule over ``total_steps`` optimizer steps."""
        args = self.args
        optimizer = torch.optim.AdamW(
            module.parameters(),
            lr=learning_rate,
            betas=(args.adam_beta1, args.adam_beta2),
            weight_decay=args.weight_decay,
        )
        # A prepared scheduler is stepped once per process at every optimizer step (Accelerate's
        # convention for per-sample schedules); ours counts optimizer steps.
        num_processes = self.accelerator.num_processes
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimizer,
            lambda s: lr_lambda(
                s // num_processes,
                args.warmup_steps,
                total_steps,
                args.min_learning_rate_ratio,
            ),
        )
        return optimizer, scheduler

    def anyband_examples(self, num_items: int) -> AnyBandExamples:
        """The any-band training examples this run draws (``num_items`` of them)."""
        args = self.args
        return AnyBandExamples(
            self.anyband_corpus,
            args.segment_length,
            num_items=num_items,
            degradation_mix=args.anyband_degradation_mix,
            codecs=args.codec_list,
            min_cutoff_hz=args.min_cutoff_hz,
            max_cutoff_hz=args.max_cutoff_hz or self.config.max_input_bandwidth_hz,
            standard_cutoff_probability=args.standard_cutoff_probability,
            polyphony_probability=args.polyphony_probability,
            max_voices=args.max_voices,
            speed_probability=args.speed_probability,
            speed_range=(args.speed_min, args.speed_max),
            gain_db=(args.gain_db_min, args.gain_db_max),
            seed=args.seed,
            utterance_weights=path_weights(
                self.anyband_corpus.corpus.names, args.train_weight_list
            ),
        )

    def train(self) -> dict:
        args, acc = self.args, self.accelerator
        model = self.model
        optimizer, scheduler = self.make_optimizer(model, args.learning_rate, args.max_steps)
        num_items = args.max_steps * args.batch_size * acc.num_processes
        if self.anyband:
            dataset = self.anyband_examples(num_items)
        else:
            dataset = SuperResolutionPatches(
                self.train_corpus,
                args.input_sampling_rate,
                args.segment_length,
                num_items=num_items,
                degradation_mix=args.degradation_mix,
                seed=args.seed,
                gain_db=(args.gain_db_min, args.gain_db_max),
            )
        loader = DataLoader(
            dataset,
            batch_size=args.batch_size,
            shuffle=False,
            drop_last=True,
            num_workers=args.num_workers,
            persistent_workers=args.num_workers > 0,
        )
        model, optimizer, loader, scheduler = acc.prepare(model, optimizer, loader, scheduler)
        discriminator = d_optimizer = d_scheduler = None
        if self.discriminator is not None:
            # Prepared second: save_state writes it as model_1 / optimizer_1 / scheduler_1.
            d_optimizer, d_scheduler = self.make_optimizer(
                self.discriminator,
                args.discriminator_learning_rate,
                max(1, args.max_steps - args.adversarial_start_step),
            )
            discriminator, d_optimizer, d_scheduler = acc.prepare(
                self.discriminator, d_optimizer, d_scheduler
            )

        step, best_lsd, history = 0, math.inf, []
        # loss sums (and how many steps each sum holds) since the last log record
        running: dict[str, float] = {}
        counts: dict[str, int] = {}
        if args.resume:
            ckpts = complete_checkpoints(self.output_dir)
            if ckpts:
                acc.load_state(str(ckpts[-1]))
                state = json.loads((ckpts[-1] / STATE_FILE).read_text())
                step, best_lsd, history = (
                    state["step"],
                    state.get("best_lsd", math.inf),
                    state.get("history", []),
                )
                # loss sums since the last log record (checkpoints written off a log step)
                running = state.get("running", {})
                counts = state.get("counts", {k: step % args.log_steps for k in running})
                logger.warning("resumed from %s at step %d", ckpts[-1], step)
        val_items = self.validation_items()
        if step >= args.max_steps:
            # Nothing left to train; export again, in case the run was stopped between its last
            # checkpoint and the export of the final model.
            self.export_final(model, history, step, has_validation=bool(val_items))
            return {"step": step, "best_lsd": best_lsd, "history": history}
        active_loader = acc.skip_first_batches(loader, step) if step else loader

        if acc.is_main_process:
            self.output_dir.mkdir(parents=True, exist_ok=True)
            logger.warning(
                "training %s (%d parameters) on %.1f min of audio, %d steps, %d steps per epoch",
                type(acc.unwrap_model(model)).__name__,
                self.num_parameters,
                self.train_corpus.duration_s / 60,
                args.max_steps,
                self.steps_per_epoch,
            )
        log_path = self.output_dir / "train_log.jsonl"
        if acc.is_main_process:
            # Start the log from the records up to the checkpoint: a run killed after it logged
            # further steps would otherwise log those steps twice once resumed.
            log_path.write_text("".join(json.dumps(record) + "\n" for record in history))
        progress = tqdm(
            total=args.max_steps, initial=step, disable=not acc.is_local_main_process, desc="train"
        )
        t0 = start = time.perf_counter()
        model.train()
        for batch in active_loader:
            audio_values, losses = self.generator_forward(model, batch)
            adversarial = discriminator is not None and step >= args.adversarial_start_step
            disc_losses = {}
            if adversarial:
                fake = self.discriminator_input(batch, audio_values)
                disc_losses = self.discriminator_step(
                    discriminator, d_optimizer, d_scheduler, batch["labels"], fake
                )
                losses.update(self.adversarial_losses(discriminator, batch["labels"], fake))
            loss = self.total_loss(losses)
            acc.backward(loss)
            if args.max_grad_norm > 0:
                acc.clip_grad_norm_(model.parameters(), args.max_grad_norm)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            for k, v in {"loss": loss, **losses, **disc_losses}.items():
                running[k] = running.get(k, 0.0) + float(v.detach())
                counts[k] = counts.get(k, 0) + 1
            progress.update(1)
            record = None
            if step % args.log_steps == 0:
                record = {k: v / counts[k] for k, v in running.items()}
                record.update(step=step, lr=scheduler.get_last_lr()[0])
                if d_scheduler is not None:
                    record["lr/disc"] = d_scheduler.get_last_lr()[0]
                record["steps_per_s"] = args.log_steps / (time.perf_counter() - t0)
                running, counts, t0 = {}, {}, time.perf_counter()
                progress.set_postfix(loss=f"{record['loss']:.3f}")
            out_of_time = False
            if args.max_train_seconds and step % args.log_steps == 0:
                over = torch.tensor(
                    [float(time.perf_counter() - start > args.max_train_seconds)], device=acc.device
                )
                out_of_time = bool(acc.gather(over).max() > 0)
            end_of_epoch = step % self.steps_per_epoch == 0 or step == args.max_steps or out_of_time
            if end_of_epoch and val_items:
                metrics = self.validate(model, val_items)
                record = {
                    **(record or {"step": step}),
                    **metrics,
                    "epoch": step // self.steps_per_epoch,
                }
                if metrics and metrics["val/lsd"] < best_lsd:
                    best_lsd = metrics["val/lsd"]
                    self.export(model, "best", metrics, step)
                progress.set_postfix(val_lsd=f"{metrics.get('val/lsd', float('nan')):.3f}")
            if record is not None:
                history.append(record)
                if acc.is_main_process:
                    with open(log_path, "a") as f:
                        f.write(json.dumps(record) + "\n")
            if step % args.checkpoint_steps == 0 or step == args.max_steps or out_of_time:
                self.save_checkpoint(
                    step,
                    {
                        "best_lsd": best_lsd,
                        "history": history,
                        "running": running,
                        "counts": counts,
                    },
                )
            if step >= args.max_steps:
                break
            if out_of_time:
                logger.warning("stopping at step %d: max_train_seconds reached", step)
                break
        progress.close()
        self.export_final(model, history, step, has_validation=bool(val_items))
        return {"step": step, "best_lsd": best_lsd, "history": history}
