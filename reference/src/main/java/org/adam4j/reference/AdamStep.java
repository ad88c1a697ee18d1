package org.adam4j.reference;

/**
 * The scalars of one Adam step, computed once per step, here and nowhere else, so that the reference and every
 * kernel do the same arithmetic on the same rounded values.
 *
 * <p>They are computed in double precision, as PyTorch computes them in Python floats, and then rounded once to
 * float for the {@code _F32} fields. The update of one element {@code i} is, for every variant:
 *
 * <pre>
 *   g = maximize ? -grad[i] : grad[i]
 *   if (l2)        g = fma(weightDecay, p[i], g)
 *   p = decoupled ? p[i] * decayFactor : p[i]
 *   m[i] = fma(beta1, m[i], oneMinusBeta1 * g)
 *   v[i] = fma(beta2, v[i], oneMinusBeta2 * g * g)
 *   vd   = amsgrad ? (vmax[i] = max(vmax[i], v[i])) : v[i]
 *   p[i] = fma(-stepSize, m[i] / fma(sqrt(vd), denomScale, eps), p)
 * </pre>
 *
 * The bias correction of {@code v} is a multiplication by {@code denomScale = 1/sqrt(1 - beta2^t)} (as DeepSpeed's
 * CPU Adam does), so an element costs one square root and one division. With {@code epsilonHat} the correction moves
 * into {@code stepSize = lr * sqrt(1 - beta2^t) / (1 - beta1^t)} and {@code denomScale} is 1. Lazy rows in
 * {@code LazyMode.LAZY} (PyTorch's SparseAdam) always step with that form: {@link #epsilonHatForm()}.
 */
public final class AdamStep extends OptimizerStep {
    /** Whether the gradient is negated (the objective maximized). */
    public final boolean maximize;
    /** Whether coupled L2 weight decay applies ({@code g = fma(weightDecay, p, g)}). */
    public final boolean l2;
    /** Whether decoupled weight decay applies ({@code p *= decayFactor}). */
    public final boolean decoupled;
    /** Whether AMSGrad's running maximum of {@code v} is used. */
    public final boolean amsgrad;

    /** {@code beta1} in double. */
    public final double beta1_F64;
    /** {@code beta2} in double. */
    public final double beta2_F64;
    /** {@code 1 - beta1} in double. */
    public final double oneMinusBeta1_F64;
    /** {@code 1 - beta2} in double. */
    public final double oneMinusBeta2_F64;
    /** {@code eps} in double. */
    public final double eps_F64;
    /** The L2 coefficient; 0 unless {@link #l2}. */
    public final double weightDecay_F64;
    /** What decoupled decay multiplies the parameter by; 1 unless {@link #decoupled}. */
    public final double decayFactor_F64;
    /** {@code -stepSize} in double (see the class comment). */
    public final double negStepSize_F64;
    /** What {@code sqrt(v)} is multiplied by before {@code eps} is added, in double (see the class comment). */
    public final double denomScale_F64;

    /** {@code beta1} in float, rounded once from the double value. */
    public final float beta1_F32;
    /** {@code beta2} in float, rounded once from the double value. */
    public final float beta2_F32;
    /** {@code 1 - beta1} in float, rounded once from the double value. */
    public final float oneMinusBeta1_F32;
    /** {@code 1 - beta2} in float, rounded once from the double value. */
    public final float oneMinusBeta2_F32;
    /** {@code eps} in float, rounded once from the double value. */
    public final float eps_F32;
    /** The L2 coefficient in float, rounded once from the double value; 0 unless {@link #l2}. */
    public final float weightDecay_F32;
    /**
     * What decoupled decay multiplies the parameter by, in float, rounded once from the double value; 1 unless {@link
     * #decoupled}.
     */
    public final float decayFactor_F32;
    /** {@code -stepSize} in float, rounded once from the double value (see the class comment). */
    public final float negStepSize_F32;
    /**
     * What {@code sqrt(v)} is multiplied by before {@code eps} is added, in float, rounded once from the double value
     * (see the class comment).
     */
    public final float denomScale_F32;

    private final AdamConfig config;
    /**
     * These scalars in the epsilon-hat form, made on first use. The race is benign: the twin's scalars are final
     * fields, and two threads that both make one make equal ones.
     */
    private AdamStep epsilonHatForm;

    private AdamStep(AdamConfig c, long t, double lr, boolean epsilonHat) {
        super(t, lr);
        this.maximize = c.maximize();
        double wd = c.weightDecay();
        this.l2 = c.decay() == WeightDecay.L2 && wd != 0.0;
        this.decoupled = (c.decay() == WeightDecay.DECOUPLED || c.decay() == WeightDecay.FULLY_DECOUPLED) && wd != 0.0;
        this.amsgrad = c.amsgrad();
        this.config = c;
        // Without bias correction both forms have stepSize = lr and denomScale = 1.
        this.epsilonHatForm = epsilonHat || !c.biasCorrection() ? this : null;

        double decayLr = c.decay() == WeightDecay.FULLY_DECOUPLED ? lr / c.maxLr() : lr;
        double biasCorrection1 = c.biasCorrection() ? 1.0 - Math.pow(c.beta1(), (double) t) : 1.0;
        double biasCorrection2 = c.biasCorrection() ? 1.0 - Math.pow(c.beta2(), (double) t) : 1.0;
        double stepSize;
        double denomScale;
        if (epsilonHat) {
            stepSize = lr * Math.sqrt(biasCorrection2) / biasCorrection1;
            denomScale = 1.0;
        } else {
            stepSize = lr / biasCorrection1;
            denomScale = 1.0 / Math.sqrt(biasCorrection2);
        }

        beta1_F64 = c.beta1();
        beta2_F64 = c.beta2();
        oneMinusBeta1_F64 = 1.0 - c.beta1();
        oneMinusBeta2_F64 = 1.0 - c.beta2();
        eps_F64 = c.eps();
        weightDecay_F64 = l2 ? wd : 0.0;
        decayFactor_F64 = decoupled ? 1.0 - decayLr * wd : 1.0;
        negStepSize_F64 = -stepSize;
        denomScale_F64 = denomScale;

        beta1_F32 = (float) beta1_F64;
        beta2_F32 = (float) beta2_F64;
        oneMinusBeta1_F32 = (float) oneMinusBeta1_F64;
        oneMinusBeta2_F32 = (float) oneMinusBeta2_F64;
        eps_F32 = (float) eps_F64;
        weightDecay_F32 = (float) weightDecay_F64;
        decayFactor_F32 = (float) decayFactor_F64;
        negStepSize_F32 = (float) negStepSize_F64;
        denomScale_F32 = (float) denomScale_F64;
    }

    /**
     * The scalars of step {@code t} (counting from 1) of {@code config} at learning rate {@code lr} (a schedule may
     * change it from step to step).
     *
     * @param config the configuration
     * @param t the step number, 1 for the first step
     * @param lr the learning rate (finite and >= 0)
     * @return the scalars of that step
     * @throws IllegalArgumentException if {@code t < 1} or {@code lr} is negative or not finite
     */
    public static AdamStep of(AdamConfig config, long t, double lr) {
        return new AdamStep(config, t, lr, config.epsilonHat());
    }

    /**
     * The scalars of the same step in the epsilon-hat form ({@code stepSize = lr * sqrt(1 - beta2^t) / (1 -
     * beta1^t)}, {@code denomScale = 1}), bit for bit those of {@link #of} with {@code epsilonHat} set:
     * {@code torch.optim.SparseAdam}'s and TensorFlow's form, which {@code LazyMode.LAZY} steps with. This step
     * itself when its configuration has {@code epsilonHat} or no bias correction; otherwise made once per step
     * object, on first use.
     *
     * @return the epsilon-hat form of this step
     */
    public AdamStep epsilonHatForm() {
        AdamStep twin = epsilonHatForm;
        if (twin == null) {
            twin = new AdamStep(config, t, lr, true);
            epsilonHatForm = twin;
        }
        return twin;
    }

    @Override
    public String toString() {
        return "AdamStep(t=" + t + ", lr=" + lr + ", stepSize=" + (-negStepSize_F64) + ", denomScale=" + denomScale_F64
                + ", decayFactor=" + decayFactor_F64 + ")";
    }
}
