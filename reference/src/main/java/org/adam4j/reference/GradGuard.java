package org.adam4j.reference;

/**
 * What guards a step, in PyTorch's order: unscale the gradients ({@code GradScaler.unscale_}), skip the step if any
 * unscaled gradient element is NaN or infinite ({@code GradScaler.step}), clip the gradients by their global norm
 * ({@code torch.nn.utils.clip_grad_norm_}), step. The scalars of each stage are computed here once, with PyTorch's
 * roundings; the reductions they need have the fixed shape of {@link GradNorms}.
 *
 * <p>The gradients of a step that is not skipped are left unscaled and clipped, as PyTorch leaves {@code p.grad}; a
 * skipped step writes nothing at all, the gradients included.
 *
 * @param gradScale the loss scale the gradients hold ({@code 1} for none): each gradient element is multiplied by
 *     {@link #invScale_F32} (or {@link #invScale_F64}) before anything else reads it
 * @param skipNonFinite whether a step whose unscaled gradients hold a NaN or an infinity is skipped
 * @param maxNorm the clipping threshold {@code max_norm}, or {@code +Inf} for no clipping
 * @param normType the norm clipped: {@code 2} or {@code +Inf} (any other value is refused)
 */
public record GradGuard(double gradScale, boolean skipNonFinite, double maxNorm, double normType) {
    /** No unscaling, no skipping, no clipping: the plain step. */
    public static final GradGuard NONE = new GradGuard(1.0, false, Double.POSITIVE_INFINITY, 2.0);

    /**
     * Checks the options.
     *
     * @throws IllegalArgumentException for a scale that is not finite and positive, a {@code maxNorm} that is not
     *     positive (NaN included), or a {@code normType} other than 2 and infinity
     */
    public GradGuard {
        if (!(gradScale > 0) || !Double.isFinite(gradScale)) {
            throw new IllegalArgumentException("gradScale must be finite and positive, got " + gradScale);
        }
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("maxNorm must be positive, got " + maxNorm);
        }
        if (normType != 2.0 && normType != Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("normType must be 2 or infinity, got " + normType);
        }
    }

    /**
     * Whether the step needs a pass over every gradient before it writes anything: to skip or to clip.
     *
     * @return whether a skip check or clipping is asked for
     */
    public boolean needsNorm() {
        return skipNonFinite || clips();
    }

    /**
     * Whether gradients are clipped.
     *
     * @return whether {@link #maxNorm} is finite
     */
    public boolean clips() {
        return maxNorm != Double.POSITIVE_INFINITY;
    }

    /**
     * Whether clipping needs the largest absolute gradient element (the infinity norm) rather than the sum of squares;
     * that reduction then also decides whether a gradient is finite.
     *
     * @return whether gradients are clipped by their infinity norm
     */
    public boolean clipsByMaxAbs() {
        return clips() && normType == Double.POSITIVE_INFINITY;
    }

    /**
     * This guard with another scale (a {@code GradScaler}'s current one).
     *
     * @param scale the loss scale
     * @return a guard that unscales by {@code scale}
     */
    public GradGuard withGradScale(double scale) {
        return new GradGuard(scale, skipNonFinite, maxNorm, normType);
    }

    /**
     * {@code GradScaler}'s {@code inv_scale = scaler._scale.double().reciprocal().float()}, for {@code float} data.
     *
     * @return {@code 1 / gradScale} computed in {@code double} and rounded to {@code float}
     */
    public float invScale_F32() {
        return (float) (1.0 / gradScale);
    }

    /**
     * The unscaling factor for {@code double} data: {@code 1 / gradScale} in {@code double}, as PyTorch's unscale of
     * a float64 gradient multiplies by it.
     *
     * @return {@code 1 / gradScale}
     */
    public double invScale_F64() {
        return 1.0 / gradScale;
    }

    /**
     * The global norm from the reductions: the square root of the sum of squares for {@code normType} 2, the largest
     * absolute value for infinity.
     *
     * @param sumOfSquares every gradient element's square, summed as {@link GradNorms} fixes
     * @param maxAbs the largest absolute gradient element (NaN if any is NaN)
     * @return the total norm, in {@code double}
     */
    public double totalNorm(double sumOfSquares, double maxAbs) {
        return normType == 2.0 ? Math.sqrt(sumOfSquares) : maxAbs;
    }

    /**
     * {@code clip_grad_norm_}'s {@code torch.clamp(max_norm / (total_norm + 1e-6), max=1.0)} on float32 tensors:
     * {@code total_norm} is a float32 tensor, {@code + 1e-6} rounds in float32, and a Python number divided by a
     * tensor is {@code tensor.reciprocal() * number} in PyTorch, so the reciprocal rounds before the product does.
     * NaN stays NaN, as {@code clamp} keeps it.
     *
     * @param totalNorm the global norm, rounded to {@code float} here as PyTorch's float32 norm is
     * @return the factor every gradient element is multiplied by, at most 1
     */
    public float clipCoef_F32(double totalNorm) {
        float denominator = (float) totalNorm + 1e-6f;
        float coef = (1.0f / denominator) * (float) maxNorm;
        return Float.isNaN(coef) ? coef : Math.min(coef, 1.0f);
    }

    /**
     * {@link #clipCoef_F32} on float64 tensors: the same operations in {@code double}.
     *
     * @param totalNorm the global norm
     * @return the factor every gradient element is multiplied by, at most 1
     */
    public double clipCoef_F64(double totalNorm) {
        double coef = (1.0 / (totalNorm + 1e-6)) * maxNorm;
        return Double.isNaN(coef) ? coef : Math.min(coef, 1.0);
    }
}
