"""GAN losses and the two halves of an adversarial training step (the SRGAN idea applied to audio).

Least-squares GAN losses (Mao et al. 2017) as HiFi-GAN uses them (Kong et al. 2020, Eqs. 1-3),
for lists of per-discriminator scores:

* discriminator: ``E[(D(y) - 1)^2] + E[D(G(x))^2]``  (real -> 1, fake -> 0);
* generator: ``E[(D(G(x)) - 1)^2]``;
* feature matching: ``E[|D_l(y) - D_l(G(x))|]`` over the hidden layers ``l``.

HiFi-GAN sums these over its sub-discriminators (and layers); here every term is averaged over
sub-discriminators (and, for feature matching, over each one's layers), so a loss weight means the
same whichever discriminators and how many periods or resolutions are enabled.

A training step first updates the discriminator on the generator's output *detached*
(:func:`discriminator_losses`: no gradient reaches the generator), then computes the generator's
adversarial terms with the updated discriminator's parameters *frozen*
(:func:`generator_adversarial_losses`: no gradient reaches the discriminator).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn

from .discriminators import Features, Scores

__all__ = [
    "discriminator_adversarial_loss",
    "discriminator_losses",
    "feature_matching_loss",
    "frozen_parameters",
    "generator_adversarial_loss",
    "generator_adversarial_losses",
]


def _check_lists(a: list, b: list, what: str) -> None:
    if len(a) != len(b) or not a:
        raise ValueError(f"{what}: need equally long non-empty lists, got {len(a)} and {len(b)}")


def discriminator_adversarial_loss(real_scores: Scores, fake_scores: Scores) -> torch.Tensor:
    """``mean_k [ mean((D_k(y) - 1)^2) + mean(D_k(G(x))^2) ]``; 0 for a perfect discriminator."""
    _check_lists(real_scores, fake_scores, "discriminator_adversarial_loss")
    terms = [
        torch.mean((real.float() - 1) ** 2) + torch.mean(fake.float() ** 2)
        for real, fake in zip(real_scores, fake_scores)
    ]
    return torch.stack(terms).mean()


def generator_adversarial_loss(fake_scores: Scores) -> torch.Tensor:
    """``mean_k mean((D_k(G(x)) - 1)^2)``; 0 when every fake is scored as real."""
    if not fake_scores:
        raise ValueError("generator_adversarial_loss: need a non-empty list of scores")
    return torch.stack([torch.mean((fake.float() - 1) ** 2) for fake in fake_scores]).mean()


def feature_matching_loss(real_features: Features, fake_features: Features) -> torch.Tensor:
    """``mean_k mean_l mean|D_k,l(y) - D_k,l(G(x))|``; the real features are treated as constants."""
    _check_lists(real_features, fake_features, "feature_matching_loss")
    terms = []
    for real_layers, fake_layers in zip(real_features, fake_features):
        _check_lists(real_layers, fake_layers, "feature_matching_loss (layers)")
        layer_terms = [
            torch.mean(torch.abs(real.detach().float() - fake.float()))
            for real, fake in zip(real_layers, fake_layers)
        ]
        terms.append(torch.stack(layer_terms).mean())
    return torch.stack(terms).mean()


@contextmanager
def frozen_parameters(module: nn.Module) -> Iterator[nn.Module]:
    """Temporarily set ``requires_grad=False`` on every parameter of ``module`` (restored after)."""
    params = list(module.parameters())
    before = [p.requires_grad for p in params]
    for p in params:
        p.requires_grad_(False)
    try:
        yield module
    finally:
        for p, flag in zip(params, before):
            p.requires_grad_(flag)


def discriminator_losses(
    discriminator: nn.Module, real: torch.Tensor, fake: torch.Tensor
) -> dict[str, torch.Tensor]:
    """The discriminator step's loss ``{"adv/disc": ...}``.

    ``fake`` is detached, so backpropagating this reaches only the discriminator. Real and fake
    go through the discriminator as one batch (one forward call, which ``DistributedDataParallel``
    wants before its backward).
    """
    batch = real.shape[0]
    scores, _ = discriminator(torch.cat([real, fake.detach().to(real.dtype)], dim=0))
    real_scores = [s[:batch] for s in scores]
    fake_scores = [s[batch:] for s in scores]
    return {"adv/disc": discriminator_adversarial_loss(real_scores, fake_scores)}


def generator_adversarial_losses(
    discriminator: nn.Module, real: torch.Tensor, fake: torch.Tensor
) -> dict[str, torch.Tensor]:
    """The generator step's adversarial terms ``{"adv/gen": ..., "adv/feat": ...}``.

    The discriminator's parameters are frozen while the graph is built, so backpropagating these
    reaches only the generator (through ``fake``); the real features are computed without a graph.
    Pass the bare discriminator (``accelerator.unwrap_model``), not a ``DistributedDataParallel``
    wrapper: no gradients of its parameters are to be synchronised here.
    """
    with frozen_parameters(discriminator):
        with torch.no_grad():
            _, real_features = discriminator(real)
        fake_scores, fake_features = discriminator(fake)
        return {
            "adv/gen": generator_adversarial_loss(fake_scores),
            "adv/feat": feature_matching_loss(real_features, fake_features),
        }
