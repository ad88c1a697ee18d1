#!/usr/bin/env python3
"""Records reference cases from PyTorch 1.13 into bench/src/test/resources/cases/<name>/.

Run from anywhere with PyTorch 1.13 (Debian: apt-get install python3-torch):

    /usr/bin/python3 tools/pytorch/record_cases.py

Every folder is a case as /work/shared/reference-cases/FORMAT.md (the shared folder's FORMAT.md) describes: case.json,
param0.npy, grads.npy, params.npy and one .npy per state name, little-endian float32 or float64. The cases use the
format-1 keys FORMAT.md added for issues 11 and 15:

- "decoupled_weight_decay" and "maximize" for nadam and radam. PyTorch 1.13 has neither: those cases run 1.13's
  for-loop implementation (_single_tensor_nadam / _single_tensor_radam, same tensor operations) patched to PyTorch
  2.1's formula (`param.mul_(1 - lr * weight_decay)` instead of `grad = grad.add(param, alpha=weight_decay)`; the
  gradient negated first under maximize), and "producer" says so. NAdam uses mu_product_next = mu_product * mu_next
  (as the shared cases and later releases), not 1.13's mu_product * mu * mu_next.
- "grad_none_steps": p.grad = None before opt.step() on those 1-based steps; their grads.npy rows hold NaN, which
  must be ignored; their params.npy rows repeat the previous ones.
- "grad_scale", "skip_non_finite", "clip_grad_norm": per step, in this order, (1) unscale: the grads.npy row (already
  multiplied by S) times inv_scale = 1.0 / S computed in double and rounded to the case's dtype; (2) if
  skip_non_finite and the unscaled gradient holds a NaN or an infinity, the step is skipped (params.npy repeats the
  previous row, state['step'] does not advance); (3) torch.nn.utils.clip_grad_norm_([p], max_norm, norm_type), 1.13's;
  (4) opt.step(). GradScaler itself is CUDA-only in 1.13, so (1) and (2) are written out here as FORMAT.md specifies.

SparseAdam (issue 11 "Lazy rows"), folders sparse-adam-*: "optimizer": "sparse_adam", with "shape": [rows, cols]
(param0.npy and the state files have shape (rows*cols,), row-major; grads.npy and params.npy (steps, rows*cols)),
and "rows": for each step, the sorted row indices present in the sparse gradient. Each step's gradient is
torch.sparse_coo_tensor(indices=[rows], values=grads[step].reshape(rows, cols)[rows]) (sparse_dim 1, as nn.Embedding
with sparse=True gives); every present row holds at least one nonzero and every absent row is all zero in
grads.npy, so "a zero row is absent" reads the same gradient. SparseAdam keeps one step count per parameter that
advances on every step (rows absent or not), updates exp_avg/exp_avg_sq/param only in present rows, and steps with
the epsilon-hat form: step_size = lr * sqrt(1 - beta2^t) / (1 - beta1^t), param -= step_size * m / (sqrt(v) + eps).

16-bit parameters (issue 13 "Low precision"), folders *-bf16* and *-fp16*: "dtype": "bfloat16" or "float16".
param0.npy, grads.npy and params.npy hold the 16-bit values' bit patterns as uint16 ("<u2"); the state files stay
float32. Each step widens the stored parameter and gradient to float32, runs torch.optim.Adam/AdamW's float32 step on
a float32 copy that owns the (float32) state, and stores the stepped parameter rounded to nearest even
(Tensor.to(torch.bfloat16) / .to(torch.float16)): storage in 16 bits, arithmetic in float32, the master weights never
kept. Those cases are checked against a NumPy replay that computes in float64 and rounds to the format at each step:
torch's trajectory may differ from any other correct one by a rounding flip, one unit in the last place of the format.

After recording, every case is replayed by an independent float64 NumPy implementation of the formulas above and
must stay within FORMAT.md's band |numpy - torch| <= 1e-5 * |torch| + 1e-3 * lr at every step and element.
"""
import json
import math
import os
import shutil

import numpy as np
import torch
import torch.optim.nadam as nadam_mod
import torch.optim.radam as radam_mod

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                   'bench', 'src', 'test', 'resources', 'cases')
TORCH = 'torch ' + torch.__version__


# ------------------------------------------------------------------ 1.13's for-loops patched to PyTorch 2.1's options

def patched_nadam(decoupled_weight_decay, maximize):
    def _single_tensor_nadam(params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps, *, beta1, beta2, lr,
                             weight_decay, momentum_decay, eps):
        for i, param in enumerate(params):
            grad = grads[i] if not maximize else -grads[i]
            exp_avg = exp_avgs[i]
            exp_avg_sq = exp_avg_sqs[i]
            mu_product = mu_products[i]
            step_t = state_steps[i]
            step_t += 1
            step = step_t.item()
            bias_correction2 = 1 - beta2 ** step
            if weight_decay != 0:
                if decoupled_weight_decay:
                    param.mul_(1 - lr * weight_decay)
                else:
                    grad = grad.add(param, alpha=weight_decay)
            mu = beta1 * (1. - 0.5 * (0.96 ** (step * momentum_decay)))
            mu_next = beta1 * (1. - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
            mu_product *= mu
            mu_product_next = mu_product * mu_next
            exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
            exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            denom = exp_avg_sq.div(bias_correction2).sqrt().add_(eps)
            param.addcdiv_(grad, denom, value=-lr * (1. - mu) / (1. - mu_product.item()))
            param.addcdiv_(exp_avg, denom, value=-lr * mu_next / (1. - mu_product_next.item()))
    return _single_tensor_nadam


def patched_radam(decoupled_weight_decay, maximize):
    def _single_tensor_radam(params, grads, exp_avgs, exp_avg_sqs, state_steps, *, beta1, beta2, lr, weight_decay,
                             eps):
        for i, param in enumerate(params):
            grad = grads[i] if not maximize else -grads[i]
            exp_avg = exp_avgs[i]
            exp_avg_sq = exp_avg_sqs[i]
            step_t = state_steps[i]
            step_t += 1
            step = step_t.item()
            bias_correction1 = 1 - beta1 ** step
            bias_correction2 = 1 - beta2 ** step
            if weight_decay != 0:
                if decoupled_weight_decay:
                    param.mul_(1 - lr * weight_decay)
                else:
                    grad = grad.add(param, alpha=weight_decay)
            exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
            exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            bias_corrected_exp_avg = exp_avg / bias_correction1
            rho_inf = 2 / (1 - beta2) - 1
            rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
            if rho_t > 5.:
                rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
                adaptive_lr = math.sqrt(bias_correction2) / exp_avg_sq.sqrt().add_(eps)
                param.add_(bias_corrected_exp_avg * lr * adaptive_lr * rect, alpha=-1.0)
            else:
                param.add_(bias_corrected_exp_avg * lr, alpha=-1.0)
    return _single_tensor_radam


# ------------------------------------------------------------------ cases

STATE = {'adam': ['exp_avg', 'exp_avg_sq'], 'adamw': ['exp_avg', 'exp_avg_sq'], 'nadam': ['exp_avg', 'exp_avg_sq'],
         'radam': ['exp_avg', 'exp_avg_sq'], 'sgd': ['momentum_buffer'], 'sparse_adam': ['exp_avg', 'exp_avg_sq']}
TORCH_KEYS = ('lr', 'betas', 'eps', 'weight_decay', 'amsgrad', 'maximize', 'momentum', 'nesterov', 'dampening',
              'momentum_decay')
PATCHED_KEYS = ('decoupled_weight_decay',)


def make(opt, p, spec):
    kw = {k: spec[k] for k in TORCH_KEYS if k in spec}
    if opt in ('nadam', 'radam'):
        kw.pop('maximize', None)  # 1.13's NAdam and RAdam have no maximize: the patched loop applies it
    if 'betas' in kw:
        kw['betas'] = tuple(kw['betas'])
    cls = {'adam': torch.optim.Adam, 'adamw': torch.optim.AdamW, 'nadam': torch.optim.NAdam,
           'radam': torch.optim.RAdam, 'sgd': torch.optim.SGD}[opt]
    return cls([p], foreach=False, **kw)


def gradients(rng, steps, n, dtype, spec):
    g = rng.standard_normal((steps, n)) * spec.get('grad_std', 0.1)
    g = (g * spec.get('shrink', 1.0) ** np.arange(steps)[:, None]).astype(dtype)  # shrinking: AMSGrad's max matters
    if 'clip_grad_norm' in spec:  # norms of 0.5, 1 and 1.5 times the typical one: some steps clip, others do not
        g = (g * (0.5 + 0.5 * (np.arange(steps) % 3))[:, None]).astype(dtype)
    for step, kind in spec.get('non_finite', {}).items():
        row = g[step - 1]
        idx = rng.choice(n, size=3, replace=False)
        row[idx] = {'nan': np.nan, 'inf': np.inf, '-inf': -np.inf}[kind]
    if 'grad_scale' in spec:
        g = (g * np.asarray(spec['grad_scale'], dtype)).astype(dtype)
    for step in spec.get('grad_none_steps', []):
        g[step - 1] = np.nan
    return g


def record_dense(name, spec, seed):
    opt_name = spec['optimizer']
    dtype = np.float32 if spec['dtype'] == 'float32' else np.float64
    n, steps = spec['n'], spec['steps']
    rng = np.random.default_rng(seed)
    param0 = rng.standard_normal(n).astype(dtype)
    grads = gradients(rng, steps, n, dtype, spec)
    p = torch.tensor(param0.copy(), requires_grad=True)
    opt = make(opt_name, p, spec)
    restore = None
    if opt_name == 'nadam':  # also for mu_product_next
        restore = ('nadam', nadam_mod._single_tensor_nadam)
        nadam_mod._single_tensor_nadam = patched_nadam(spec.get('decoupled_weight_decay', False),
                                                       spec.get('maximize', False))
    if opt_name == 'radam' and ('decoupled_weight_decay' in spec or spec.get('maximize')):
        restore = ('radam', radam_mod._single_tensor_radam)
        radam_mod._single_tensor_radam = patched_radam(spec.get('decoupled_weight_decay', False),
                                                       spec.get('maximize', False))
    none = set(spec.get('grad_none_steps', []))
    rows = []
    try:
        for t in range(1, steps + 1):
            if t in none:
                p.grad = None
            else:
                p.grad = torch.tensor(grads[t - 1].copy())
                if 'grad_scale' in spec:
                    inv_scale = torch.tensor(1.0 / spec['grad_scale'], dtype=p.dtype)
                    p.grad.mul_(inv_scale)
                if spec.get('skip_non_finite') and not bool(torch.isfinite(p.grad).all()):
                    rows.append(p.detach().numpy().copy())
                    continue
                if 'clip_grad_norm' in spec:
                    c = spec['clip_grad_norm']
                    norm_type = math.inf if c['norm_type'] == 'inf' else c['norm_type']
                    torch.nn.utils.clip_grad_norm_([p], c['max_norm'], norm_type)
            opt.step()
            rows.append(p.detach().numpy().copy())
    finally:
        if restore and restore[0] == 'nadam':
            nadam_mod._single_tensor_nadam = restore[1]
        elif restore:
            radam_mod._single_tensor_radam = restore[1]
    names = STATE[opt_name] + (['max_exp_avg_sq'] if spec.get('amsgrad') else [])
    state = {k: opt.state[p][k].numpy().copy() for k in names if not (opt_name == 'sgd' and spec.get('momentum', 0) == 0)}
    return param0, grads, np.stack(rows), state


def record_sparse(name, spec, seed):
    dtype = np.float32 if spec['dtype'] == 'float32' else np.float64
    rows_n, cols = spec['shape']
    n, steps = rows_n * cols, spec['steps']
    rng = np.random.default_rng(seed)
    param0 = rng.standard_normal(n).astype(dtype)
    p = torch.tensor(param0.reshape(rows_n, cols).copy(), requires_grad=True)
    opt = torch.optim.SparseAdam([p], lr=spec['lr'], betas=tuple(spec['betas']), eps=spec['eps'],
                                 maximize=spec.get('maximize', False))
    grads = np.zeros((steps, n), dtype)
    present = []
    out = []
    for t in range(steps):
        k = rng.integers(1, spec['max_rows'] + 1)
        idx = np.sort(rng.choice(rows_n, size=k, replace=False))
        vals = (rng.standard_normal((k, cols)) * spec.get('grad_std', 1.0)).astype(dtype)
        if t % 4 == 3:
            vals *= np.asarray(1e-6, dtype)  # the small-gradient regime where epsilon's form matters
        vals[:, 0] = np.where(vals[:, 0] == 0, np.asarray(0.5, dtype), vals[:, 0])  # no present row is all zero
        g = grads[t].reshape(rows_n, cols)
        g[idx] = vals
        present.append([int(i) for i in idx])
        p.grad = torch.sparse_coo_tensor(torch.tensor(idx[None, :]), torch.tensor(vals), (rows_n, cols))
        opt.step()
        out.append(p.detach().numpy().reshape(-1).copy())
    st = opt.state[p]
    state = {k: st[k].numpy().reshape(-1).copy() for k in ('exp_avg', 'exp_avg_sq')}
    spec = dict(spec)
    spec['n'] = n
    spec['rows'] = present
    return param0, grads, np.stack(out), state, spec


# ------------------------------------------------------------------ independent NumPy replay (float64)

def numpy_replay(spec, param0, grads):
    opt = spec['optimizer']
    lr = spec['lr']
    b1, b2 = spec.get('betas', [0.9, 0.999])
    eps = spec.get('eps', 1e-8)
    wd = spec.get('weight_decay', 0.0 if opt != 'adamw' else 1e-2)
    x = param0.astype(np.float64).copy()
    m = np.zeros_like(x)
    v = np.zeros_like(x)
    step = 0
    mu_prod = 1.0
    none = set(spec.get('grad_none_steps', []))
    out = []
    for t in range(1, spec['steps'] + 1):
        if opt == 'sparse_adam':
            rows_n, cols = spec['shape']
            mask = np.zeros((rows_n, cols), bool)
            mask[spec['rows'][t - 1]] = True
            mask = mask.reshape(-1)
            g = grads[t - 1].astype(np.float64) * (-1 if spec.get('maximize') else 1)
            step += 1
            m[mask] = b1 * m[mask] + (1 - b1) * g[mask]
            v[mask] = b2 * v[mask] + (1 - b2) * g[mask] ** 2
            size = lr * math.sqrt(1 - b2 ** step) / (1 - b1 ** step)
            x[mask] -= size * m[mask] / (np.sqrt(v[mask]) + eps)
            out.append(x.copy())
            continue
        if t in none:
            out.append(x.copy())
            continue
        g = grads[t - 1].astype(np.float64)
        if 'grad_scale' in spec:
            g = g * float(np.asarray(1.0 / spec['grad_scale'], param0.dtype))
        if spec.get('skip_non_finite') and not np.isfinite(g).all():
            out.append(x.copy())
            continue
        if 'clip_grad_norm' in spec:
            c = spec['clip_grad_norm']
            norm = np.abs(g).max() if c['norm_type'] == 'inf' else np.sqrt((g * g).sum())
            g = g * min(c['max_norm'] / (norm + 1e-6), 1.0)
        if spec.get('maximize'):
            g = -g
        step += 1
        if opt == 'sgd':
            if wd:
                g = g + wd * x
            mom = spec.get('momentum', 0.0)
            m = g.copy() if step == 1 else mom * m + (1 - spec.get('dampening', 0.0)) * g
            d = g + mom * m if spec.get('nesterov') else m
            x = x - lr * d
        elif opt in ('adam', 'adamw'):
            if opt == 'adamw':
                x = x * (1 - lr * wd)
            elif wd:
                g = g + wd * x
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            if spec.get('amsgrad'):
                vmax = v.copy() if step == 1 else np.maximum(vmax, v)
            x = x - lr / (1 - b1 ** step) * m / (np.sqrt((vmax if spec.get('amsgrad') else v) / (1 - b2 ** step))
                                                 + eps)
        elif opt == 'nadam':
            md = spec.get('momentum_decay', 4e-3)
            if wd:
                if spec.get('decoupled_weight_decay'):
                    x = x * (1 - lr * wd)
                else:
                    g = g + wd * x
            mu = b1 * (1 - 0.5 * 0.96 ** (step * md))
            mu_next = b1 * (1 - 0.5 * 0.96 ** ((step + 1) * md))
            mu_prod *= mu
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            denom = np.sqrt(v / (1 - b2 ** step)) + eps
            x = x - lr * (1 - mu) / (1 - mu_prod) * g / denom - lr * mu_next / (1 - mu_prod * mu_next) * m / denom
        elif opt == 'radam':
            if wd:
                if spec.get('decoupled_weight_decay'):
                    x = x * (1 - lr * wd)
                else:
                    g = g + wd * x
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            mhat = m / (1 - b1 ** step)
            rho_inf = 2 / (1 - b2) - 1
            rho = rho_inf - 2 * step * b2 ** step / (1 - b2 ** step)
            if rho > 5:
                r = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
                x = x - lr * mhat * r * math.sqrt(1 - b2 ** step) / (np.sqrt(v) + eps)
            else:
                x = x - lr * mhat
        out.append(x.copy())
    return np.stack(out)


# ------------------------------------------------------------------ the cases

ADAM = {'lr': 1e-3, 'betas': [0.9, 0.999], 'eps': 1e-8}
NON_FINITE = {3: 'nan', 7: 'inf', 8: '-inf', 15: 'nan'}
CASES = {
    # a. NAdam and RAdam with PyTorch 2.1's decoupled_weight_decay and maximize
    'relative-nadam-decoupled-weight-decay': dict(optimizer='nadam', dtype='float32', n=1031, steps=30, lr=2e-3,
                                                  betas=[0.9, 0.999], eps=1e-8, weight_decay=0.1,
                                                  decoupled_weight_decay=True),
    'relative-nadam-maximize': dict(optimizer='nadam', dtype='float32', n=257, steps=25, lr=2e-3, betas=[0.9, 0.999],
                                    eps=1e-8, weight_decay=0.01, maximize=True),
    'relative-nadam-decoupled-maximize-f64': dict(optimizer='nadam', dtype='float64', n=200, steps=20, lr=5e-3,
                                                  betas=[0.8, 0.99], eps=1e-8, weight_decay=0.05,
                                                  momentum_decay=8e-3, decoupled_weight_decay=True, maximize=True),
    'relative-radam-decoupled-weight-decay': dict(optimizer='radam', dtype='float32', n=1031, steps=30, lr=1e-3,
                                                  betas=[0.9, 0.999], eps=1e-8, weight_decay=0.1,
                                                  decoupled_weight_decay=True),
    'relative-radam-maximize': dict(optimizer='radam', dtype='float32', n=257, steps=25, lr=1e-3, betas=[0.9, 0.999],
                                    eps=1e-8, weight_decay=0.01, maximize=True),
    'relative-radam-decoupled-maximize-f64': dict(optimizer='radam', dtype='float64', n=200, steps=20, lr=3e-3,
                                                  betas=[0.7, 0.9], eps=1e-8, weight_decay=0.05,
                                                  decoupled_weight_decay=True, maximize=True),
    # b. no gradient on some steps
    'adam-grad-none': dict(optimizer='adam', dtype='float32', n=515, steps=20, **ADAM,
                           grad_none_steps=[1, 4, 5, 11, 20]),
    'adamw-grad-none': dict(optimizer='adamw', dtype='float32', n=515, steps=20, **ADAM, weight_decay=0.1,
                            grad_none_steps=[2, 3, 9, 10, 14]),
    'adam-grad-none-amsgrad-f64': dict(optimizer='adam', dtype='float64', n=130, steps=16, **ADAM, amsgrad=True,
                                       weight_decay=0.01, shrink=0.6, grad_none_steps=[1, 2, 8]),
    'relative-sgd-momentum-grad-none': dict(optimizer='sgd', dtype='float32', n=515, steps=20, lr=0.01, momentum=0.9,
                                            weight_decay=1e-3, grad_none_steps=[1, 6, 7, 12]),
    'relative-nadam-grad-none': dict(optimizer='nadam', dtype='float32', n=515, steps=20, lr=2e-3,
                                     betas=[0.9, 0.999], eps=1e-8, grad_none_steps=[3, 4, 13]),
    # c. unscale, skip a non-finite step, clip by global norm
    'adam-amp': dict(optimizer='adam', dtype='float32', n=1031, steps=20, **ADAM, grad_scale=65536.0,
                     skip_non_finite=True, non_finite=NON_FINITE),
    'adamw-amp-clip': dict(optimizer='adamw', dtype='float32', n=1031, steps=20, **ADAM, weight_decay=0.01,
                           grad_scale=1000.0, skip_non_finite=True, non_finite=NON_FINITE,
                           clip_grad_norm={'max_norm': 2.5, 'norm_type': 2}),
    'relative-sgd-momentum-amp': dict(optimizer='sgd', dtype='float32', n=1031, steps=20, lr=0.01, momentum=0.9,
                                      grad_scale=65536.0, skip_non_finite=True, non_finite=NON_FINITE),
    'adam-skip-non-finite-f64': dict(optimizer='adam', dtype='float64', n=300, steps=20, **ADAM, skip_non_finite=True,
                                     non_finite=NON_FINITE),
    'relative-sgd-momentum-skip-clip-inf-f64': dict(optimizer='sgd', dtype='float64', n=300, steps=20, lr=0.05,
                                                    momentum=0.9, nesterov=True, skip_non_finite=True,
                                                    non_finite=NON_FINITE,
                                                    clip_grad_norm={'max_norm': 0.2, 'norm_type': 'inf'}),
    'adam-clip-l2': dict(optimizer='adam', dtype='float32', n=1031, steps=20, **ADAM,
                         clip_grad_norm={'max_norm': 3.0, 'norm_type': 2}),
    'adam-clip-inf-f64': dict(optimizer='adam', dtype='float64', n=257, steps=20, **ADAM,
                              clip_grad_norm={'max_norm': 0.25, 'norm_type': 'inf'}),
    'adamw-clip-inf': dict(optimizer='adamw', dtype='float32', n=1031, steps=20, **ADAM, weight_decay=0.01,
                           clip_grad_norm={'max_norm': 0.3, 'norm_type': 'inf'}),
    'adamw-clip-l2-f64': dict(optimizer='adamw', dtype='float64', n=257, steps=20, **ADAM, weight_decay=0.01,
                              clip_grad_norm={'max_norm': 1.5, 'norm_type': 2}),
    'relative-sgd-momentum-clip-l2': dict(optimizer='sgd', dtype='float32', n=1031, steps=20, lr=0.01, momentum=0.9,
                                          clip_grad_norm={'max_norm': 3.0, 'norm_type': 2}),
    'relative-sgd-momentum-clip-inf': dict(optimizer='sgd', dtype='float32', n=1031, steps=20, lr=0.01, momentum=0.9,
                                           dampening=0.1, clip_grad_norm={'max_norm': 0.3, 'norm_type': 'inf'}),
}
SPARSE = {
    'sparse-adam': dict(optimizer='sparse_adam', dtype='float32', shape=[64, 16], steps=30, lr=1e-3,
                        betas=[0.9, 0.999], eps=1e-8, max_rows=12),
    'sparse-adam-f64': dict(optimizer='sparse_adam', dtype='float64', shape=[33, 7], steps=25, lr=5e-3,
                            betas=[0.8, 0.99], eps=1e-8, max_rows=6),
}


LOWP = {
    'adam-bf16': dict(optimizer='adam', dtype='bfloat16', n=1031, steps=30, **ADAM),
    'adamw-bf16-lr1e-4': dict(optimizer='adamw', dtype='bfloat16', n=515, steps=30, lr=1e-4, betas=[0.9, 0.999],
                              eps=1e-8, weight_decay=0.1, param_std=0.02),
    'adam-fp16': dict(optimizer='adam', dtype='float16', n=1031, steps=30, **ADAM, weight_decay=0.01, amsgrad=True,
                      shrink=0.9),
    'adamw-fp16-edges': dict(optimizer='adamw', dtype='float16', n=257, steps=20, lr=1e-2, betas=[0.9, 0.99],
                             eps=1e-8, weight_decay=0.01, maximize=True),
}
TORCH_16 = {'bfloat16': torch.bfloat16, 'float16': torch.float16}


def bits16(t):
    return t.contiguous().view(torch.int16).numpy().view(np.uint16).copy()


def from_bits16(b, dtype):
    return torch.from_numpy(np.ascontiguousarray(b).view(np.int16)).view(TORCH_16[dtype])


def record_lowp(name, spec, seed):
    tdt = TORCH_16[spec['dtype']]
    n, steps = spec['n'], spec['steps']
    rng = np.random.default_rng(seed)
    p16 = torch.tensor((rng.standard_normal(n) * spec.get('param_std', 1.0)).astype(np.float32)).to(tdt)
    if name.endswith('-edges'):  # the format's largest finite, its smallest subnormal, zeros, values near 1
        p16[:8] = torch.tensor([65504.0, -65504.0, 2.0 ** -24, -(2.0 ** -24), 0.0, -0.0, 1.0, 6.1e-5]).to(tdt)
    g = gradients(rng, steps, n, np.float32, spec)
    g16 = torch.tensor(g).to(tdt)
    p = torch.zeros(n, dtype=torch.float32, requires_grad=True)
    opt = make(spec['optimizer'], p, spec)
    param0 = bits16(p16)
    rows = []
    for t in range(steps):
        with torch.no_grad():
            p.copy_(p16.float())
        p.grad = g16[t].float()
        opt.step()
        p16 = p.detach().to(tdt)
        rows.append(bits16(p16))
    names = STATE[spec['optimizer']] + (['max_exp_avg_sq'] if spec.get('amsgrad') else [])
    state = {k: opt.state[p][k].numpy().copy() for k in names}
    return param0, bits16(g16), np.stack(rows), state


def round16(x, dtype):
    """float64 -> the format, to nearest even, by torch's own conversion of the float32 value (x is float32-exact
    here only approximately, so a tie may round twice: the check allows a unit in the last place)."""
    return bits16(torch.tensor(x.astype(np.float32)).to(TORCH_16[dtype]))


def check_lowp(name, spec, param0, grads, params):
    dtype = spec['dtype']
    widen = lambda b: from_bits16(b, dtype).double().numpy()
    lr, (b1, b2), eps = spec['lr'], spec['betas'], spec['eps']
    wd = spec.get('weight_decay', 0.0)
    x16 = param0
    m = np.zeros(spec['n'])
    v = np.zeros(spec['n'])
    vmax = np.zeros(spec['n'])
    worst = 0.0
    flips = 0
    for t in range(1, spec['steps'] + 1):
        x = widen(x16)
        g = widen(grads[t - 1]) * (-1 if spec.get('maximize') else 1)
        if spec['optimizer'] == 'adamw':
            x = x * (1 - lr * wd)
        elif wd:
            g = g + wd * x
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        vmax = np.maximum(vmax, v)
        vv = vmax if spec.get('amsgrad') else v
        x = x - lr / (1 - b1 ** t) * m / (np.sqrt(vv) / math.sqrt(1 - b2 ** t) + eps)
        x16 = round16(x, dtype)
        ours, theirs = widen(x16), widen(params[t - 1])
        ulp = np.abs(widen(round16(np.nextafter(np.abs(theirs), np.inf), dtype)) - np.abs(theirs))
        ulp = np.where(ulp > 0, ulp, np.spacing(np.abs(theirs)))
        diff = np.abs(ours - theirs)
        flips += int((diff > 0).sum())
        worst = max(worst, float(np.max(np.where(diff > 0, diff / np.maximum(ulp, 1e-300), 0))))
        x16 = params[t - 1]  # follow torch's trajectory: each step is checked on its own
    moved = int((params[-1] != param0).sum())
    assert worst <= 1.0 + 1e-9, (name, worst)
    assert moved >= spec['n'] // 10, (name, moved)  # rounding to nearest stalls the larger ones: that is the point
    print(f'{name}: numpy within one unit in the last place of {dtype} at every step ({flips} rounding flips in '
          f'{spec["n"] * spec["steps"]} values); {moved} of {spec["n"]} parameters moved')


def npy(path, a, dtype):
    np.save(path, np.ascontiguousarray(a, dtype=np.dtype(dtype).newbyteorder('<')))


def producer(spec):
    name = {'adam': 'Adam', 'adamw': 'AdamW', 'nadam': 'NAdam', 'radam': 'RAdam', 'sgd': 'SGD'}[spec['optimizer']]
    s = TORCH + ' torch.optim.' + name + '(foreach=False)'
    if spec['dtype'] in TORCH_16:
        s += (' on a float32 copy of ' + spec['dtype'] + ' parameters and gradients, the stepped parameter stored'
              ' rounded to nearest even (Tensor.to(torch.' + spec['dtype'] + '))')
    if spec['optimizer'] in ('nadam', 'radam') and ('decoupled_weight_decay' in spec or spec.get('maximize')):
        s += (' with its for-loop implementation patched to PyTorch 2.1\'s decoupled_weight_decay and maximize'
              ' (tools/pytorch/record_cases.py)')
    if spec['optimizer'] == 'nadam':
        s += ', mu_product_next = mu_product * mu_next as in later releases'
    if 'grad_none_steps' in spec:
        s += '; p.grad = None on grad_none_steps'
    if 'grad_scale' in spec or spec.get('skip_non_finite'):
        s += '; unscale and non-finite skip written out as FORMAT.md specifies (GradScaler is CUDA-only in 1.13)'
    if 'clip_grad_norm' in spec:
        s += '; torch.nn.utils.clip_grad_norm_'
    return s


def write(name, spec, param0, grads, params, state):
    d = os.path.join(OUT, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    dtype = {'float32': '<f4', 'float64': '<f8'}.get(spec['dtype'], '<u2')
    npy(os.path.join(d, 'param0.npy'), param0, dtype)
    npy(os.path.join(d, 'grads.npy'), grads, dtype)
    npy(os.path.join(d, 'params.npy'), params, dtype)
    for k, a in state.items():
        npy(os.path.join(d, k + '.npy'), a, '<f8' if dtype == '<f8' else '<f4')
    meta = {'format': 1}
    internal = ('non_finite', 'grad_std', 'max_rows', 'shrink', 'param_std')
    meta.update({k: v for k, v in spec.items() if k not in internal})
    meta['state'] = list(state)
    meta['producer'] = spec.get('producer') or producer(spec)
    rows = meta.pop('rows', None)
    text = json.dumps(meta, indent=1)
    if rows is not None:  # one line per step
        text = text[:-2] + ',\n "rows": [\n' + ',\n'.join('  ' + json.dumps(r) for r in rows) + '\n ]\n}'
    json.loads(text)
    with open(os.path.join(d, 'case.json'), 'w') as f:
        f.write(text + '\n')


def outside_band(spec, param0, grads, params):
    ref = numpy_replay(spec, param0, grads)
    torch_rows = params.astype(np.float64)
    return np.abs(ref - torch_rows) > 1e-5 * np.abs(torch_rows) + 1e-3 * spec['lr']


def check(name, spec, param0, grads, params):
    bad = outside_band(spec, param0, grads, params)
    assert not bad.any(), (name, np.argwhere(bad)[:5])
    # each option the case is about must matter: the replay without it leaves the band
    for key in ('decoupled_weight_decay', 'maximize', 'clip_grad_norm', 'amsgrad'):
        if key in spec:
            assert outside_band({k: v for k, v in spec.items() if k != key}, param0, grads, params).any(), (name, key)
    if 'clip_grad_norm' in spec:
        c = spec['clip_grad_norm']
        clipped = 0
        for t in range(spec['steps']):
            g = grads[t].astype(np.float64) / spec.get('grad_scale', 1.0)
            if np.isfinite(g).all():
                norm = np.abs(g).max() if c['norm_type'] == 'inf' else np.sqrt((g * g).sum())
                clipped += norm + 1e-6 > c['max_norm']
        assert 0 < clipped < spec['steps'] - len(spec.get('non_finite', {})), (name, clipped)
        print(f'{name}: {clipped} of {spec["steps"]} steps clipped')
    if spec['optimizer'] == 'sparse_adam':
        dense = dict(spec, rows=[list(range(spec['shape'][0]))] * spec['steps'])
        assert outside_band(dense, param0, grads, params).any(), (name, 'dense Adam')
    torch_rows = params.astype(np.float64)
    ref = numpy_replay(spec, param0, grads)
    beyond = np.max(np.maximum(np.abs(ref - torch_rows) - 1e-5 * np.abs(torch_rows), 0)) / spec['lr']
    moved = np.max(np.abs(torch_rows[-1] - param0.astype(np.float64))) / spec['lr']
    print(f'{name}: numpy within the band (beyond the relative term {beyond:.1e} lr; moved up to {moved:.1f} lr)')


def main():
    assert torch.__version__.startswith('1.13'), torch.__version__
    torch.set_num_threads(1)
    for seed, (name, spec) in enumerate(CASES.items()):
        param0, grads, params, state = record_dense(name, spec, 1000 + seed)
        if 'grad_none_steps' in spec or spec.get('skip_non_finite'):
            for t in range(1, spec['steps'] + 1):
                skipped = bool(t in spec.get('grad_none_steps', []) or (
                    spec.get("skip_non_finite") and t in spec.get("non_finite", {})))
                prev = param0 if t == 1 else params[t - 2]
                assert skipped == bool(np.array_equal(prev, params[t - 1])), (name, t)
        check(name, spec, param0, grads, params)
        write(name, spec, param0, grads, params, state)
    for seed, (name, spec) in enumerate(SPARSE.items()):
        param0, grads, params, state, spec = record_sparse(name, spec, 2000 + seed)
        spec['producer'] = TORCH + ' torch.optim.SparseAdam with sparse COO row gradients (sparse_dim 1)'
        check(name, spec, param0, grads, params)
        write(name, spec, param0, grads, params, state)
    for seed, (name, spec) in enumerate(LOWP.items()):
        param0, grads, params, state = record_lowp(name, spec, 3000 + seed)
        check_lowp(name, spec, param0, grads, params)
        write(name, spec, param0, grads, params, state)
    print('wrote', len(CASES) + len(SPARSE) + len(LOWP), 'cases to', os.path.normpath(OUT))


if __name__ == '__main__':
    main()
