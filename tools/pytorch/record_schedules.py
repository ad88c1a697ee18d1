#!/usr/bin/env python3
"""Records the learning rates PyTorch's schedulers give, for LrScheduleTorchTest.

Run from the repository root with PyTorch 1.13 (Debian: apt-get install python3-torch):

    /usr/bin/python3 tools/pytorch/record_schedules.py

It (re)writes kernels/src/test/resources/org/adam4j/optim/lr-schedules/<name>.npy, one per configuration below:
a float64 array of shape (steps,) whose element t-1 is the learning rate the t-th optimizer.step() uses in the
usual loop (optimizer.step(); scheduler.step()), i.e. param_groups[0]['lr'] == get_last_lr()[0] after t-1 calls
of scheduler.step(). The optimizer is SGD with lr=BASE_LR (the base learning rate the Java test passes as
baseLr). The Java test builds the same configurations under the same names; the two lists must stay in step.
The tests never need PyTorch: the .npy files are committed.
"""
import os
import warnings

import numpy as np
import torch
from torch.optim import lr_scheduler as S

BASE_LR = 0.1
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                   'kernels', 'src', 'test', 'resources', 'org', 'adam4j', 'optim', 'lr-schedules')

# name: (steps, function of the optimizer making the scheduler)
CONFIGS = {
    'step-lr': (100, lambda o: S.StepLR(o, step_size=7, gamma=0.9)),
    'step-lr-default-gamma': (40, lambda o: S.StepLR(o, step_size=3)),
    'multi-step-lr': (100, lambda o: S.MultiStepLR(o, milestones=[5, 20, 20, 61], gamma=0.7)),
    'exponential-lr': (400, lambda o: S.ExponentialLR(o, gamma=0.99)),
    'cosine-annealing-lr': (300, lambda o: S.CosineAnnealingLR(o, T_max=100, eta_min=1e-3)),
    'cosine-annealing-lr-t7': (60, lambda o: S.CosineAnnealingLR(o, T_max=7)),
    'linear-lr': (30, lambda o: S.LinearLR(o, start_factor=0.01, end_factor=1.0, total_iters=17)),
    'linear-lr-decay': (20, lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.25, total_iters=9)),
    'linear-lr-defaults': (12, lambda o: S.LinearLR(o)),
    'one-cycle-lr-cos': (201, lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=200, cycle_momentum=False)),
    'one-cycle-lr-linear': (51, lambda o: S.OneCycleLR(o, max_lr=0.02, total_steps=50, pct_start=0.25,
                                                       anneal_strategy='linear', div_factor=10.0,
                                                       final_div_factor=100.0, cycle_momentum=False)),
    'one-cycle-lr-three-phase': (101, lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=100, pct_start=0.3,
                                                             three_phase=True, cycle_momentum=False)),
    'one-cycle-lr-three-phase-linear': (64, lambda o: S.OneCycleLR(o, max_lr=0.3, total_steps=63, pct_start=0.2,
                                                                   anneal_strategy='linear', three_phase=True,
                                                                   cycle_momentum=False)),
    'warm-restarts': (100, lambda o: S.CosineAnnealingWarmRestarts(o, T_0=10)),
    'warm-restarts-t-mult-2': (200, lambda o: S.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=1e-4)),
    'sequential-linear-cosine': (150, lambda o: S.SequentialLR(o, [
        S.LinearLR(o, start_factor=0.1, total_iters=10),
        S.CosineAnnealingLR(o, T_max=90, eta_min=1e-5)], milestones=[10])),
    'sequential-three': (120, lambda o: S.SequentialLR(o, [
        S.LinearLR(o, start_factor=0.5, total_iters=4),
        S.ExponentialLR(o, gamma=0.95),
        S.CosineAnnealingWarmRestarts(o, T_0=8, T_mult=2, eta_min=1e-3)], milestones=[6, 40])),
    'sequential-step-multistep-cosine': (90, lambda o: S.SequentialLR(o, [
        S.StepLR(o, step_size=4, gamma=0.8),
        S.MultiStepLR(o, milestones=[3, 9], gamma=0.5),
        S.CosineAnnealingLR(o, T_max=25)], milestones=[13, 30])),
}


def record(steps, make):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=BASE_LR)
    sched = make(opt)
    lrs = []
    for t in range(1, steps + 1):
        lr = opt.param_groups[0]['lr']
        assert lr == sched.get_last_lr()[0]
        lrs.append(lr)
        p.grad = torch.zeros(1)
        opt.step()
        if t < steps:  # OneCycleLR raises past last_epoch == total_steps
            sched.step()
    return np.array(lrs, dtype='<f8')


def main():
    assert torch.__version__.startswith('1.13'), torch.__version__
    warnings.simplefilter('ignore')  # SequentialLR's step(0) warns that the epoch argument is deprecated
    os.makedirs(OUT, exist_ok=True)
    for name, (steps, make) in CONFIGS.items():
        np.save(os.path.join(OUT, name + '.npy'), record(steps, make))
    print('wrote', len(CONFIGS), 'sequences to', os.path.normpath(OUT))


if __name__ == '__main__':
    main()
