/**
 * The specification of every algorithm adam4j runs: the configurations ({@link org.adam4j.reference.OptimizerConfig}
 * and its seven implementations), the per-step scalars they compute ({@link org.adam4j.reference.OptimizerStep}), and
 * the plain scalar loops ({@code AdamReference_F32}, {@code SgdReference_F64}, ...) that every kernel must match bit
 * for bit.
 *
 * <p>The configurations live here, beside the loops, rather than with the optimizer API, because they are part of
 * the specification: a step's scalars are computed once, here, and shared by the reference and every kernel (the same
 * rounded values are what makes the bits agree), and a configuration is what a recorded PyTorch case or a state file
 * is read into ({@link org.adam4j.reference.OptimizerConfig#fromPyTorch}). This package needs no vector module and no
 * other adam4j package.
 */
package org.adam4j.reference;
