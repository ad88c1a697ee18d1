#!/usr/bin/env python3
"""Records 8-bit blockwise Adam and AdamW cases into bench/src/test/resources/cases/<name>/ with an implementation of
the 8-bit step written here in Python, independently of adam4j's Java code.

Run from anywhere with Debian's python3-torch (PyTorch 1.13, only for bitsandbytes' map construction) and
python3-numpy:

    /usr/bin/python3 tools/pytorch/record_8bit_cases.py

What it implements is the specification of org.adam4j.reference.Adam8bitReference, Blockwise8bit and DynamicMap
(bitsandbytes' 8-bit optimizer state, Dettmers et al. 2022), read from their documentation:

- Maps: bitsandbytes' create_dynamic_map(signed) run on torch (record_dynamic_map.py's copy of it, verbatim), signed
  for exp_avg, unsigned for exp_avg_sq; checked against the maps recorded in the repository
  (reference/src/test/resources/org/adam4j/reference/dynamic-maps-torch-1.13.txt).
- State: one code per element (uint8) and one float32 absmax per block of block_size elements counted from element 0
  (the last block may be short); a fresh state is all codes 0 and all absmax 0.
- Scalars of step t, in double, each rounded once to float32: beta1, 1 - beta1, beta2, 1 - beta2, eps, the L2
  coefficient (adam with weight_decay), the decay factor 1 - lr * weight_decay (adamw), -lr / (1 - beta1^t) and
  1 / sqrt(1 - beta2^t).
- Per element, float32 arithmetic with fused multiply-adds (p and grad widened exactly to float32 when they are
  bfloat16 or float16):
      g = maximize ? -grad : grad;   if L2: g = fma(wd, p, g);   p' = adamw ? p * decay : p
      m = fma(beta1, signed[code_m] * absmax_m, (1 - beta1) * g)
      v = fma(beta2, unsigned[code_v] * absmax_v, (1 - beta2) * g * g)
      p = fma(-step_size, m / fma(sqrt(v), denom_scale, eps), p')
  the parameter stepped with the float moments, not with their quantized values; a 16-bit parameter is then stored
  rounded to nearest even in its format, a NaN as the format's positive quiet NaN (bfloat16 0x7fc0, float16 0x7e00).
- Per block, after the step: absmax = max |m| (NaN if any is NaN); if absmax and 1 / absmax are both finite, each
  code is the nearest map entry to m * (1 / absmax) (the float32 reciprocal, then a float32 product), an exact tie
  going to the lower code; otherwise every code is the map's zero code. A NaN absmax is stored as 0x7fc00000.

Arithmetic: numpy float32 for + - * / sqrt (IEEE correctly rounded), and an exact fused multiply-add: the exact
rational a * b + c (fractions.Fraction) rounded once to float32, to nearest even, by round_f32 below (its own integer
rounding: float(Fraction) would round to double first, and rounding twice is not rounding once). The nearest code is
found by comparing the float32 value exactly with the exact midpoints of adjacent map entries, then confirmed by
exact distances to the neighbours. round_f32 and fma are checked at start-up against numpy's products and sums, on
subnormals, overflow and signed zeros, and on a product whose fused and unfused results differ; the rounding to
bfloat16 and float16 (the same code with 8 and 11 significant bits) against torch's Tensor.to(torch.bfloat16) and
numpy's astype(float16).

Each case folder holds the shared format's files (case.json, param0.npy, grads.npy, params.npy: float32, or the bit
patterns of bfloat16 or float16 as uint16 '<u2' as in the 16-bit cases) plus the
state after every step: exp_avg.npy and exp_avg_sq.npy (steps, n) uint8 codes, exp_avg_absmax.npy and
exp_avg_sq_absmax.npy (steps, blocks) float32. case.json says "state_precision": "8bit" and "block_size". The cases
are defined by this specification, not by PyTorch: validate compares them bit for bit.
"""
import bisect
import json
import math
import os
import shutil
import sys
from fractions import Fraction

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from record_dynamic_map import create_dynamic_map  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
OUT = os.path.join(ROOT, 'bench', 'src', 'test', 'resources', 'cases')
RECORDED_MAPS = os.path.join(ROOT, 'reference', 'src', 'test', 'resources', 'org', 'adam4j', 'reference',
                             'dynamic-maps-torch-1.13.txt')
F32 = np.float32
CANONICAL_NAN = np.array([0x7fc00000], dtype=np.uint32).view(np.float32)[0]


# ------------------------------------------------------------------ exact float32 arithmetic

def bits(x):
    return int(np.array([x], dtype=np.float32).view(np.uint32)[0])


def round_binary(q, digits, emin, emax, ties=None):
    """The number of a binary format (digits significant bits, normal exponents emin..emax, subnormals below) nearest
    to the nonzero rational q, ties to even, as a double (exact: digits <= 24); +-inf beyond the largest finite.
    Appends q to the list ties when it lies exactly halfway between two numbers of the format."""
    negative = q < 0
    a = -q if negative else q
    num, den = a.numerator, a.denominator
    # floor(log2(a)) is e0 or e0 - 1
    e = num.bit_length() - den.bit_length()
    if (num << -e if e < 0 else num) < (den << e if e > 0 else den):
        e -= 1
    inf = -math.inf if negative else math.inf
    if e > emax:
        return inf
    unit = max(e, emin) - (digits - 1)  # the exponent of the last place, normal or subnormal
    n, d = (num << -unit, den) if unit < 0 else (num, den << unit)
    k, r = divmod(n, d)
    if ties is not None and 2 * r == d:
        ties.append(q)
    if 2 * r > d or (2 * r == d and k % 2 == 1):
        k += 1
    value = math.ldexp(k, unit)
    if value > math.ldexp(2 ** digits - 1, emax - digits + 1):
        return inf
    return -value if negative else value


def round_f32(q):
    """The float32 nearest to the nonzero rational q, ties to even; +-inf beyond the largest finite float32."""
    return F32(round_binary(q, 24, -126, 127))


class Format:
    """How a parameter is stored: float32 itself, or bfloat16 / float16 bit patterns (uint16)."""

    def __init__(self, name):
        self.name = name
        self.digits, self.emin, self.emax, self.nan = {'bfloat16': (8, -126, 127, 0x7fc0),
                                                       'float16': (11, -14, 15, 0x7e00)}.get(name, (24, 0, 0, 0))
        self.dtype = np.float32 if name == 'float32' else np.uint16
        self.ties = []

    def widen(self, x):
        if self.name == 'float32':
            return F32(x)
        if self.name == 'bfloat16':
            return np.array([int(x) << 16], dtype=np.uint32).view(np.float32)[0]
        return F32(np.array([x], dtype=np.uint16).view(np.float16)[0])

    def store(self, x):
        """float32 x stored to nearest even (a NaN as the format's positive quiet NaN)."""
        if self.name == 'float32':
            return x
        sign = 0x8000 if np.signbit(x) else 0
        if np.isnan(x):
            return np.uint16(self.nan)
        if np.isinf(x) or x == 0:
            value = float(x)
        else:
            value = round_binary(Fraction(float(x)), self.digits, self.emin, self.emax, self.ties)
        if self.name == 'bfloat16':
            bits = int(np.array([value], dtype=np.float32).view(np.uint32)[0]) >> 16
        else:
            bits = int(np.array([value], dtype=np.float16).view(np.uint16)[0])
        assert value == 0 or bits & 0x8000 == sign
        return np.uint16(bits | sign)


def fma(a, b, c):
    """a * b + c rounded once to float32 (IEEE 754 fusedMultiplyAdd, roundTiesToEven)."""
    a, b, c = F32(a), F32(b), F32(c)
    if not (np.isfinite(a) and np.isfinite(b) and np.isfinite(c)):
        # NaN and infinity follow from the double operations: a finite float32 product cannot overflow a double
        return F32(float(a) * float(b) + float(c))
    exact = Fraction(float(a)) * Fraction(float(b)) + Fraction(float(c))
    if exact == 0:
        # an exact zero sum is +0 unless both the product and c are zeros of negative sign
        product_negative_zero = (a == 0 or b == 0) and (np.signbit(a) != np.signbit(b))
        return F32(-0.0) if product_negative_zero and c == 0 and np.signbit(c) else F32(0.0)
    return round_f32(exact)


def self_test():
    rng = np.random.default_rng(7)
    with np.errstate(all='ignore'):
        raw = rng.integers(0, 2 ** 32, size=40000, dtype=np.uint64).astype(np.uint32).view(np.float32)
        special = np.array([0.0, -0.0, 1.0, -1.0, 2.0 ** -149, -(2.0 ** -149), 2.0 ** -126, 3.4e38, -3.4e38,
                            1.5 * 2.0 ** -140, 0.1, 3.0], dtype=np.float32)
        values = np.concatenate([raw[np.isfinite(raw)], special])
        rng.shuffle(values)
        pairs = 0
        for i in range(0, len(values) - 1, 2):
            x, y = values[i], values[i + 1]
            for got, want in ((fma(x, y, F32(0.0)) if x * y != 0 else None, x * y),
                              (fma(x, F32(1.0), y), x + y),
                              (round_f32(Fraction(float(x)) / Fraction(float(y))) if y != 0 and x != 0 else None,
                               x / y)):
                if got is None:
                    continue
                assert bits(got) == bits(want), (float(x), float(y), float(got), float(want))
                pairs += 1
        for x in special:
            for y in special:
                if x == 0 or y == 0:  # signed zeros of products and sums
                    assert bits(fma(x, y, F32(0.0))) == bits(x * y + F32(0.0)), (x, y)
                    assert bits(fma(x, y, F32(-0.0))) == bits(x * y + F32(-0.0)), (x, y)
    # fused differs from unfused here: (1 + 2^-12)^2 - 1 = 2^-11 + 2^-24 exactly, the rounded product loses 2^-24
    a = F32(1 + 2.0 ** -12)
    assert fma(a, a, F32(-1.0)) == F32(2.0 ** -11 + 2.0 ** -24) and a * a - F32(1.0) == F32(2.0 ** -11)
    assert bits(fma(F32(2.0 ** 64), F32(2.0 ** 64), F32(0.0))) == bits(F32(np.inf))  # overflow
    assert bits(fma(F32(2.0 ** -75), F32(2.0 ** -75), F32(0.0))) == 0  # underflow to +0 (a tie to even 0)
    assert bits(fma(F32(2.0 ** -75), F32(-(2.0 ** -74)), F32(0.0))) == bits(F32(-(2.0 ** -149)))
    sixteen = values[np.isfinite(values)][:20000]
    with np.errstate(all='ignore'):
        want = {'bfloat16': torch.tensor(sixteen).to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16),
                'float16': sixteen.astype(np.float16).view(np.uint16)}
    for name, bits16 in want.items():
        fmt = Format(name)
        for x, b in zip(sixteen, bits16):
            assert int(fmt.store(x)) == int(b), (name, float(x), hex(int(fmt.store(x))), hex(int(b)))
            if not np.isinf(fmt.widen(b)):
                assert bits(fmt.widen(fmt.store(x))) == bits(fmt.widen(b))
    print(f'self-test: round_f32 and fma agree with numpy on {pairs} products, sums and quotients; bfloat16 and '
          f'float16 rounding with torch and numpy on {len(sixteen)} floats each')


# ------------------------------------------------------------------ maps and codes

class Map:
    def __init__(self, signed):
        values = create_dynamic_map(signed)
        assert values.dtype == torch.float32 and len(values) == 256
        self.values = values.numpy().astype(np.float32)
        assert all(self.values[k] < self.values[k + 1] for k in range(255)), 'strictly ascending'
        self.exact = [Fraction(float(x)) for x in self.values]
        self.midpoints = [(self.exact[k] + self.exact[k + 1]) / 2 for k in range(255)]
        self.zero = int(np.nonzero(self.values == 0)[0][0])
        self.ties = 0

    def code(self, x):
        """The nearest entry to float32 x, an exact tie to the lower entry: the number of midpoints below x."""
        q = Fraction(float(x))
        k = bisect.bisect_left(self.midpoints, q)
        if k < 255 and self.midpoints[k] == q:
            self.ties += 1
        d = abs(q - self.exact[k])
        assert k == 0 or abs(q - self.exact[k - 1]) > d, (x, k)
        assert k == 255 or abs(q - self.exact[k + 1]) >= d, (x, k)
        return k


def check_recorded_maps(signed, unsigned):
    with open(RECORDED_MAPS) as f:
        rows = {line.split()[0]: line.split()[1:] for line in f if not line.startswith('#')}
    for name, m in (('signed', signed), ('unsigned', unsigned)):
        assert [format(bits(x), '08x') for x in m.values] == rows[name], name


# ------------------------------------------------------------------ the step

def pow_rounded(x, t):
    """x ** t for a double x and a whole t, correctly rounded to double (the exact power, rounded once)."""
    return float(Fraction(x) ** t)


class Scalars:
    def __init__(self, spec, t):
        lr, (b1, b2), eps = spec['lr'], spec.get('betas', [0.9, 0.999]), spec.get('eps', 1e-8)
        adamw = spec['optimizer'] == 'adamw'
        wd = spec.get('weight_decay', 1e-2 if adamw else 0.0)
        for b in (b1, b2):  # the recorded case must not depend on the last bit of a libm's pow
            assert pow_rounded(b, t) == b ** t, (b, t)
        bc1 = 1.0 - pow_rounded(b1, t)
        bc2 = 1.0 - pow_rounded(b2, t)
        self.maximize = spec.get('maximize', False)
        self.l2 = not adamw and wd != 0.0
        self.decoupled = adamw and wd != 0.0
        self.wd = F32(wd)
        self.decay = F32(1.0 - lr * wd)
        self.b1, self.c1 = F32(b1), F32(1.0 - b1)
        self.b2, self.c2 = F32(b2), F32(1.0 - b2)
        self.eps = F32(eps)
        self.neg_step_size = F32(-(lr / bc1))
        self.denom_scale = F32(1.0 / math.sqrt(bc2))


def absmax(xs):
    if any(np.isnan(x) for x in xs):
        return CANONICAL_NAN
    return max([F32(0.0)] + [abs(x) for x in xs])


def codable(a):
    return bool(np.isfinite(a) and np.isfinite(F32(1.0) / a))


class State:
    def __init__(self, n, block_size):
        blocks = -(-n // block_size)
        self.m = np.zeros(n, np.uint8)
        self.v = np.zeros(n, np.uint8)
        self.m_absmax = np.zeros(blocks, np.float32)
        self.v_absmax = np.zeros(blocks, np.float32)


def step(spec, t, p, g, st, signed, unsigned, stats):
    s = Scalars(spec, t)
    fmt = FORMATS[spec['dtype']]
    bs = spec['block_size']
    n = len(p)
    for b, start in enumerate(range(0, n, bs)):
        idx = range(start, min(n, start + bs))
        ms, vs = [], []
        for i in idx:
            p_old = fmt.widen(p[i])
            gi = fmt.widen(g[i])
            gi = -gi if s.maximize else gi
            if s.l2:
                gi = fma(s.wd, p_old, gi)
            m = fma(s.b1, signed.values[st.m[i]] * st.m_absmax[b], s.c1 * gi)
            v = fma(s.b2, unsigned.values[st.v[i]] * st.v_absmax[b], s.c2 * gi * gi)
            pi = p_old * s.decay if s.decoupled else p_old
            denom = fma(np.sqrt(v), s.denom_scale, s.eps)
            p[i] = fmt.store(fma(s.neg_step_size, m / denom, pi))
            ms.append(m)
            vs.append(v)
        for moments, codes, scales, cmap, kind in ((ms, st.m, st.m_absmax, signed, 'm'),
                                                   (vs, st.v, st.v_absmax, unsigned, 'v')):
            a = absmax(moments)
            scales[b] = a
            if codable(a):
                recip = F32(1.0) / a
                for i, x in zip(idx, moments):
                    codes[i] = cmap.code(x * recip)
            else:
                codes[list(idx)] = cmap.zero
                what = 'zero' if a == 0 else 'nan' if np.isnan(a) else 'inf' if np.isinf(a) else 'tiny'
                stats.add((kind, what))


def replay(spec, param0, grads, signed, unsigned, stats):
    n, steps = spec['n'], spec['steps']
    none = set(spec.get('grad_none_steps', []))
    st = State(n, spec['block_size'])
    p = param0.copy()
    rows = {'params': [], 'exp_avg': [], 'exp_avg_sq': [], 'exp_avg_absmax': [], 'exp_avg_sq_absmax': []}
    own = 0
    with np.errstate(all='ignore'):
        for t in range(1, steps + 1):
            if t not in none:
                own += 1
                step(spec, own, p, grads[t - 1], st, signed, unsigned, stats)
            for name, a in (('params', p), ('exp_avg', st.m), ('exp_avg_sq', st.v), ('exp_avg_absmax', st.m_absmax),
                            ('exp_avg_sq_absmax', st.v_absmax)):
                rows[name].append(a.copy())
    return {k: np.stack(v) for k, v in rows.items()}


# ------------------------------------------------------------------ cases

def gradients_hitting(target, c1):
    """A float32 g with fma(b1, -0, c1 * g) = c1 * g == target exactly (a first step's m), searched near target/c1."""
    g = F32(float(target) / float(c1))
    for k in range(200):
        for cand in (g, np.nextafter(g, F32(np.inf)), np.nextafter(g, F32(-np.inf))):
            if c1 * cand == target:
                return cand
        g = np.nextafter(g, F32(np.inf)) if c1 * g < target else np.nextafter(g, F32(-np.inf))
    raise AssertionError(target)


def edges(spec, rng, param0, grads, signed):
    """Blocks of 64 (n 300): 0 signed zeros and exact ties; 1 zero gradients on steps 1-4 (absmax 0); 2 gradients
    of about 1e-39 on steps 1-5 (a subnormal absmax whose reciprocal overflows); 3 gradients of about 1e18 (v about
    1e33, codable) until one of 1e21 on step 9 overflows v (absmax inf, the block NaN from step 10); 4 (the short
    block of 44) a NaN gradient on step 14 (absmax NaN, stored as 0x7fc00000)."""
    c1 = F32(1.0 - spec['betas'][0])
    param0[0:4] = [0.0, -0.0, 0.0, -0.0]
    grads[:, 0:4] = [0.0, -0.0, -0.0, 0.0]
    # step 1: m = c1 * g exactly; make the block's absmax 2^-3 (reciprocal 8) and put m of other elements exactly on
    # midpoints: between -c and 0, 0 and c (c the smallest positive entry), and a pair of adjacent entries whose
    # midpoint is a float32
    grads[0, 4] = gradients_hitting(F32(0.125), c1)
    smallest = signed.values[signed.zero + 1]
    targets = [F32(smallest / 2), F32(-smallest / 2)]
    for k in range(signed.zero + 60, 250):
        mid = signed.midpoints[k]
        if Fraction(float(F32(float(mid)))) == mid:
            targets.append(F32(float(mid)))
            if len(targets) == 4:
                break
    for j, target in enumerate(targets):
        grads[0, 5 + j] = gradients_hitting(F32(target / 8), c1)
    assert np.max(np.abs(grads[0, :64])) == grads[0, 4], 'element 4 is the block maximum on step 1'
    grads[0:4, 64:128] = 0.0
    grads[0:5, 128:192] = (rng.standard_normal((5, 64)) * 2e-39).astype(np.float32)
    grads[:, 192:256] = (rng.standard_normal((spec['steps'], 64)) * 1e18).astype(np.float32)
    grads[8, 200] = F32(1e21)
    grads[13, 260] = np.nan
    return targets


CASES = {
    'adam-8bit': dict(optimizer='adam', dtype='float32', n=300, steps=20, lr=1e-3, betas=[0.9, 0.999], eps=1e-8, weight_decay=0.0,
                      block_size=256),
    'adamw-8bit': dict(optimizer='adamw', dtype='float32', n=515, steps=16, lr=3e-3, betas=[0.9, 0.99], eps=1e-8, weight_decay=0.1,
                       block_size=256),
    'adam-8bit-l2-maximize-block100': dict(optimizer='adam', dtype='float32', n=333, steps=12, lr=2e-3, betas=[0.9, 0.999], eps=1e-8,
                                           weight_decay=0.01, maximize=True, block_size=100,
                                           grad_none_steps=[3, 7]),
    'adam-8bit-edges': dict(optimizer='adam', dtype='float32', n=300, steps=16, lr=1e-3, betas=[0.9, 0.999],
                            eps=1e-8, weight_decay=0.0, block_size=64),
    # 16-bit parameters and gradients. bfloat16 weights of about 1 move at lr 2^-8, half their last place there: a
    # weight of +-1 with a gradient of -+1 steps on step 1 to exactly +-(1 + 2^-8) in float, a tie (to even: +-1)
    'adam-8bit-bf16': dict(optimizer='adam', dtype='bfloat16', n=300, steps=16, lr=2.0 ** -8, betas=[0.9, 0.999],
                           eps=1e-8, weight_decay=0.0, block_size=256),
    'adamw-8bit-fp16': dict(optimizer='adamw', dtype='float16', n=200, steps=16, lr=1e-3, betas=[0.9, 0.99], eps=1e-8,
                            weight_decay=0.01, maximize=True, block_size=64),
}
FORMATS = {name: Format(name) for name in ('float32', 'bfloat16', 'float16')}
# float16's largest finite, its smallest subnormal, zeros, 1 and a small normal, as the PyTorch-recorded fp16 edges
FP16_EDGES = [65504.0, -65504.0, 2.0 ** -24, -(2.0 ** -24), 0.0, -0.0, 1.0, 6.1e-5]
PRODUCER = ('tools/pytorch/record_8bit_cases.py: the 8-bit step of Adam8bitReference written independently in Python '
            '(numpy float32 arithmetic, fused multiply-adds exact by fractions.Fraction rounded once to float32), '
            'maps by bitsandbytes\' create_dynamic_map on torch ' + torch.__version__)


def npy(path, a, dtype):
    np.save(path, np.ascontiguousarray(a, dtype=np.dtype(dtype)))


def write(name, spec, param0, grads, rec):
    d = os.path.join(OUT, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    dtype = '<f4' if spec['dtype'] == 'float32' else '<u2'
    npy(os.path.join(d, 'param0.npy'), param0, dtype)
    npy(os.path.join(d, 'grads.npy'), grads, dtype)
    npy(os.path.join(d, 'params.npy'), rec['params'], dtype)
    states = ['exp_avg', 'exp_avg_sq', 'exp_avg_absmax', 'exp_avg_sq_absmax']
    for k in states:
        npy(os.path.join(d, k + '.npy'), rec[k], '<f4' if k.endswith('_absmax') else 'u1')
    meta = {'format': 1, 'optimizer': spec['optimizer'], 'dtype': spec['dtype'], 'n': spec['n'], 'steps': spec['steps']}
    meta.update({k: v for k, v in spec.items() if k not in ('optimizer', 'n', 'steps', 'block_size')})
    meta['state_precision'] = '8bit'
    meta['block_size'] = spec['block_size']
    meta['state'] = states
    meta['producer'] = PRODUCER
    with open(os.path.join(d, 'case.json'), 'w') as f:
        f.write(json.dumps(meta, indent=1) + '\n')


def main():
    assert torch.__version__.startswith('1.13'), torch.__version__
    torch.set_num_threads(1)
    self_test()
    signed, unsigned = Map(True), Map(False)
    check_recorded_maps(signed, unsigned)
    for seed, (name, spec) in enumerate(CASES.items()):
        rng = np.random.default_rng(4000 + seed)
        n, steps = spec['n'], spec['steps']
        assert n % spec['block_size'] != 0, 'a short last block'
        param0 = rng.standard_normal(n).astype(np.float32)
        grads = (rng.standard_normal((steps, n)) * 0.1).astype(np.float32)
        for t in spec.get('grad_none_steps', []):
            grads[t - 1] = np.nan  # ignored, as in the PyTorch-recorded cases
        ties_before = signed.ties + unsigned.ties
        if name.endswith('-edges'):
            edges(spec, rng, param0, grads, signed)
        fmt = FORMATS[spec['dtype']]
        if spec['dtype'] == 'float16':
            param0[:len(FP16_EDGES)] = FP16_EDGES
        if spec['dtype'] == 'bfloat16':
            param0[:4] = [1.0, -1.0, 1.0, -1.0]
            grads[0, :4] = [-1.0, 1.0, -1.0, 1.0]
        if spec['dtype'] != 'float32':
            param0 = np.array([fmt.store(x) for x in param0], dtype=np.uint16)
            grads = np.array([[fmt.store(x) for x in row] for row in grads], dtype=np.uint16)
        stats = set()
        stored_ties = len(fmt.ties)
        rec = replay(spec, param0, grads, signed, unsigned, stats)
        ties = signed.ties + unsigned.ties - ties_before
        stored_ties = len(fmt.ties) - stored_ties
        stored = rec['params']
        if spec['dtype'] == 'bfloat16':
            assert stored_ties >= 4 and list(stored[0, :4]) == [0x3f80, 0xbf80] * 2, (stored_ties, stored[0, :4])
        p = np.array([[fmt.widen(x) for x in row] for row in stored], dtype=np.float32)
        moved = int((stored[-1] != param0).sum())
        assert moved >= spec['n'] * 3 // 4, (name, moved)
        if name.endswith('-edges'):
            assert {('m', 'zero'), ('v', 'zero'), ('m', 'tiny'), ('v', 'inf'), ('m', 'nan'), ('v', 'nan')} <= stats, \
                stats
            assert ties >= 4, ties
            assert not np.isnan(p[:9]).any(), 'nothing is NaN before step 10'
            assert np.isnan(p[9:, 192:256]).all(), 'block 3 is NaN from step 10, after v overflowed on step 9'
            assert np.isnan(p[14:, 256:]).all() and np.isnan(p[13, 260]) and np.isfinite(p[13, 256:260]).all()
            assert bits(rec['exp_avg_sq_absmax'][13][4]) == 0x7fc00000
        else:
            assert not stats and np.isfinite(p).all(), (name, stats)
        for t in spec.get('grad_none_steps', []):
            assert np.array_equal(p[t - 1], p[t - 2]), (name, t)
        # the options matter: replayed without them, the parameters differ
        for key, other in (('maximize', False), ('optimizer', 'adam' if spec['optimizer'] == 'adamw' else 'adamw'),
                           ('block_size', spec['block_size'] * 2)):
            if key in spec and (key != 'optimizer' or spec.get('weight_decay')):
                alt = replay(dict(spec, **{key: other}), param0, grads, signed, unsigned, set())
                assert not np.array_equal(alt['params'], stored, equal_nan=True), (name, key)
        used = len(np.unique(rec['exp_avg'])), len(np.unique(rec['exp_avg_sq']))
        write(name, spec, param0, grads, rec)
        print(f'{name}: {spec["dtype"]}, n {n}, {steps} steps, block {spec["block_size"]}: {moved} parameters moved, '
              f'{used[0]} and {used[1]} distinct codes, {ties} exact ties between codes'
              + (f', {stored_ties} between 16-bit values' if spec['dtype'] != 'float32' else '')
              + f', non-codable blocks {sorted(stats)}')
    print('wrote', len(CASES), 'cases to', os.path.normpath(OUT))


if __name__ == '__main__':
    main()
