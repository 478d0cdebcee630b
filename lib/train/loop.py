"""The one training loop every trainer uses (minGPT's Trainer is the model): a model, an optimizer, and a
`step_fn(step) -> (loss, metrics)` that draws its own batch and returns the loss to minimise. The loop zeroes the
gradients, backpropagates, clips, steps the optimizer (and scheduler), and reports through callbacks; it knows
nothing of the UI. A page turns the callback into a progress bar or a live chart.

Byte-identical rebuilds depend on the order of operations here: batch drawing (inside step_fn) happens before
zero_grad, exactly as the hand-written loops did."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import torch

StepFn = Callable[[int], "tuple[torch.Tensor, dict]"]
Callback = Callable[[int, dict], None]


@dataclass
class Trainer:
    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    step_fn: StepFn                                     # step (1-based) -> (loss, metrics of that step)
    steps: int
    clip: float | None = 1.0                            # max gradient norm; None to skip clipping
    scheduler: object | None = None                     # stepped after the optimizer, if given
    lr_at: Callable[[int], float] | None = None         # step (1-based) -> learning rate, set before the step
    callbacks: list[Callback] = field(default_factory=list)

    def add_callback(self, fn: Callback) -> "Trainer":
        self.callbacks.append(fn)
        return self

    def run(self) -> list[dict]:
        """Train for `steps` steps; returns every step's metrics (with "step" and "loss"). Leaves the model in eval
        mode."""
        self.model.train()
        history: list[dict] = []
        for step in range(1, self.steps + 1):
            if self.lr_at is not None:
                lr = self.lr_at(step)
                for group in self.optimizer.param_groups:
                    group["lr"] = lr
            loss, metrics = self.step_fn(step)
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if self.clip is not None:
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.clip)
            self.optimizer.step()
            if self.scheduler is not None:
                self.scheduler.step()
            row = {"step": step, "loss": float(loss.detach()), **metrics}
            history.append(row)
            for fn in self.callbacks:
                fn(step, row)
        self.model.eval()
        return history


def warm_up() -> None:
    """Pay a process's one-off training costs now: torch's first optimizer imports torch._dynamo (about 800 modules,
    1.0-1.4 s on the development machine), and the first backward pass sets up autograd. Pages that train on a click
    run this in the background after they are drawn (lib.serve.warm_up_later)."""
    w = torch.zeros(2, requires_grad=True)
    opt = torch.optim.Adam([w], lr=1e-3)
    (w * w).sum().backward()
    opt.step()
