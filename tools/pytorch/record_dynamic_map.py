#!/usr/bin/env python3
"""Records bitsandbytes' 8-bit dynamic quantization maps as PyTorch computes them, for DynamicMapTest.

create_dynamic_map below is bitsandbytes' functional.py function, verbatim but for formatting (the maps are float32
tensors: torch.linspace, float32 arithmetic with Python scalars, then torch.tensor of the sorted list). Run with
Debian's python3-torch (PyTorch 1.13): /usr/bin/python3 tools/pytorch/record_dynamic_map.py
"""
import os

import torch
def create_dynamic_map(signed=True, max_exponent_bits=7, total_bits=8):
    data = []
    non_sign_bits = total_bits - (1 if signed else 1)
    additional_items = 2 ** (non_sign_bits - max_exponent_bits) - 1
    for i in range(max_exponent_bits):
        fraction_items = int(2 ** (i + non_sign_bits - max_exponent_bits) + 1 if signed else 2 ** (i + non_sign_bits - max_exponent_bits + 1) + 1)
        boundaries = torch.linspace(0.1, 1, fraction_items)
        means = (boundaries[:-1] + boundaries[1:]) / 2.0
        data += ((10 ** (-(max_exponent_bits - 1) + i)) * means).tolist()
        if signed:
            data += (-(10 ** (-(max_exponent_bits - 1) + i)) * means).tolist()
    if additional_items > 0:
        boundaries = torch.linspace(0.1, 1, additional_items + 1)
        means = (boundaries[:-1] + boundaries[1:]) / 2.0
        data += ((10 ** (-(max_exponent_bits - 1) + i)) * means).tolist()
        if signed:
            data += (-(10 ** (-(max_exponent_bits - 1) + i)) * means).tolist()
    data.append(0)
    data.append(1.0)
    assert len(data) == 2 ** total_bits
    gap = 256 - len(data)
    for i in range(gap):
        data.append(0)
    data.sort()
    return torch.tensor(data)
def main():
    assert torch.__version__.startswith('1.13'), torch.__version__
    torch.set_num_threads(1)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'reference', 'src', 'test', 'resources',
                       'org', 'adam4j', 'reference', 'dynamic-maps-torch-1.13.txt')
    with open(out, 'w') as f:
        f.write('# bitsandbytes create_dynamic_map(signed, max_exponent_bits=7, total_bits=8), run on PyTorch '
                + torch.__version__ + ' (CPU, float32) by tools/pytorch/record_dynamic_map.py:\n'
                + '# per line the map name, then its 256 entries as float32 bit patterns in hex\n')
        for signed in (True, False):
            m = create_dynamic_map(signed)
            assert m.dtype == torch.float32 and len(m) == 256
            bits = [x & 0xFFFFFFFF for x in m.view(torch.int32).tolist()]
            f.write(('signed' if signed else 'unsigned') + ' ' + ' '.join(format(b, '08x') for b in bits) + '\n')
    print('wrote', os.path.normpath(out))


if __name__ == '__main__':
    main()
