package org.adam4j.optim;

/**
 * What one {@link Optimizer#step()} did and saw ({@link Optimizer#lastStats()}). The gradient figures come from the
 * pass that the skip check and clipping make anyway; the parameter and update figures need the optimizer built with
 * {@link Optimizer.Builder#stepStats(boolean)}, and are NaN otherwise. Every sum has the fixed order of
 * {@link org.adam4j.reference.GradNorms}, so the figures have the same bits for every kernel width and thread count.
 *
 * @param step the optimizer's step count after this step (unchanged by a skipped one)
 * @param skipped whether the step was skipped: an unscaled gradient element was NaN or infinite under
 *     {@code skipNonFinite}; nothing was written
 * @param gradScale the loss scale the gradients were unscaled by (1 for none)
 * @param gradNorm the global 2-norm of the unscaled gradients before clipping (NaN if no pass computed it)
 * @param clipCoef the factor the gradients were multiplied by after unscaling: {@code min(max_norm / (total_norm +
 *     1e-6), 1)}, 1 without clipping
 * @param nonFinite how many unscaled gradient elements were NaN or infinite (-1 if no pass looked)
 * @param paramNorm the 2-norm of the parameters before the step
 * @param updateNorm the 2-norm of the update, the parameters after the step minus before
 * @param maxUpdateRatio the largest {@code |update| / |parameter before|} over the elements whose parameter was not 0
 */
public record StepStats(long step, boolean skipped, double gradScale, double gradNorm, double clipCoef, long nonFinite,
        double paramNorm, double updateNorm, double maxUpdateRatio) {
}
