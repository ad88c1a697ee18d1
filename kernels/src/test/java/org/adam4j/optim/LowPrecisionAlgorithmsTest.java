package org.adam4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.adam4j.kernels.AdamKernels;
import org.adam4j.kernels.LowPrecisionSteps;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.Bf16;
import org.adam4j.reference.LowPrecision;
import org.adam4j.reference.LowPrecisionAdamReference;
import org.adam4j.reference.OptimizerConfig;
import org.adam4j.reference.OptimizerStep;
import org.adam4j.reference.Rounding;
import org.adam4j.reference.StateVariable;
import org.junit.jupiter.api.Test;

/**
 * Every algorithm steps bf16 and fp16 parameters ({@link LowPrecisionSteps}): an optimizer over a 16-bit array
 * (split into pieces over threads) and an off-heap 16-bit segment gives, step after step, the bits of
 * {@link LowPrecisionSteps#reference} stepped by hand (the algorithm's float reference on the widened values, then the
 * group's rounding), parameters, state and compensation, for every configuration of {@link AlgorithmsOptimizerTest},
 * each format and rounding; and for Adam that reference is {@link LowPrecisionAdamReference}'s, bit for bit.
 */
class LowPrecisionAlgorithmsTest {
    private static final long SEED = 77;

    @Test
    void everyAlgorithmStepsSixteenBitParametersAsTheReferenceSays() {
        int checked = 0;
        for (OptimizerConfig config : AlgorithmsOptimizerTest.CONFIGS) {
            for (Precision precision : List.of(Precision.BF16, Precision.FP16)) {
                for (Rounding rounding : Rounding.values()) {
                    run(config, precision, rounding, AdamKernels.vectorAvailable() ? "vector" : "scalar", 3,
                            AlgorithmsOptimizerTest.BIG);
                    run(config, precision, rounding, "scalar", 1, 1500);
                    checked++;
                }
            }
        }
        assertEquals(AlgorithmsOptimizerTest.CONFIGS.size() * 2 * 3, checked);
    }

    private static void run(OptimizerConfig config, Precision precision, Rounding rounding, String kernel, int threads,
            int n) {
        LowPrecision fmt = precision == Precision.BF16 ? LowPrecision.BF16 : LowPrecision.FP16;
        SplittableRandom rnd = new SplittableRandom(config.hashCode() * 31L + precision.ordinal() * 7 + n);
        int m = 700;
        short[] p = new short[n], g = new short[n];
        for (int i = 0; i < n; i++) {
            p[i] = fmt.fromFloatNearestEven((float) rnd.nextGaussian());
        }
        short[] q0 = new short[m];
        for (int i = 0; i < m; i++) {
            q0[i] = fmt.fromFloatNearestEven((float) rnd.nextGaussian());
        }
        short[] wantP = p.clone(), wantQ = q0.clone(), gq = new short[m];
        List<StateVariable> vars = config.stateArrays();
        float[][] stateP = initial(vars, n), stateQ = initial(vars, m);
        short[] compP = new short[n], compQ = new short[m];
        double[] scalars = config.scalarStates().stream().mapToDouble(StateVariable::initialValue).toArray();
        String where = config + " " + precision + " " + rounding + " " + kernel + " x" + threads + " n=" + n;
        try (Arena arena = Arena.ofShared();
                Optimizer<?> opt = Optimizer.of(config).kernel(kernel).threads(threads).rounding(rounding)
                        .roundingSeed(SEED).build()) {
            MemorySegment q = arena.allocate((long) m * Short.BYTES, 64), qg = arena.allocate((long) m * Short.BYTES);
            MemorySegment.copy(q0, 0, q, ValueLayout.JAVA_SHORT, 0, m);
            opt.defaultGroup().add(precision, p, g);
            opt.defaultGroup().add(precision, q, qg);
            for (long t = 1; t <= AlgorithmsOptimizerTest.STEPS; t++) {
                for (int i = 0; i < n; i++) {
                    g[i] = fmt.fromFloatNearestEven((float) (0.1 * rnd.nextGaussian()));
                }
                for (int i = 0; i < m; i++) {
                    gq[i] = fmt.fromFloatNearestEven((float) (0.1 * rnd.nextGaussian()));
                }
                MemorySegment.copy(gq, 0, qg, ValueLayout.JAVA_SHORT, 0, m);
                opt.step();
                OptimizerStep s = config.step(t, config.lr(), scalars);
                LowPrecisionSteps.reference(s, fmt, rounding, wantP, g, stateP, compP, 0, n, SEED, 0);
                LowPrecisionSteps.reference(s, fmt, rounding, wantQ, gq, stateQ, compQ, 0, m, SEED, n);
                s.scalarsAfter(scalars);
                assertArrayEquals(wantP, p, where + " step " + t + ": the array's parameters");
                assertArrayEquals(wantQ, q.toArray(ValueLayout.JAVA_SHORT), where + " step " + t + ": the segment's");
            }
            OptimizerState.ParamState saved = opt.state().groups().get(0).params().get(0);
            for (int k = 0; k < vars.size(); k++) {
                assertArrayEquals(bits(stateP[k]), bits(saved.arrays().get(vars.get(k).name())
                        .toArray(ValueLayout.JAVA_FLOAT)), where + ": " + vars.get(k).name());
            }
        }
    }

    private static float[][] initial(List<StateVariable> vars, int n) {
        float[][] state = new float[vars.size()][n];
        for (int k = 0; k < state.length; k++) {
            java.util.Arrays.fill(state[k], (float) vars.get(k).initialValue());
        }
        return state;
    }

    private static int[] bits(float[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = Float.floatToRawIntBits(a[i]);
        }
        return b;
    }

    /** The state's bytes: each state array at its precision, the compensation in 16 bits, slices counted once. */
    @Test
    void stateBytesCountEveryStateArrayAtItsPrecision() {
        try (Optimizer<AdamConfig> adam = Optimizer.adam().rounding(Rounding.KAHAN).build()) {
            assertEquals(0, adam.stateBytes());
            adam.defaultGroup().add(new float[10], new float[10]);
            assertEquals(10 * 8, adam.stateBytes());
            adam.defaultGroup().add(new double[10], new double[10]);
            assertEquals(10 * 8 + 10 * 16, adam.stateBytes());
            short[] p = new short[10], g = new short[10];
            adam.defaultGroup().add(Precision.BF16, p, g, 0, 4);
            adam.defaultGroup().add(Precision.BF16, p, g, 4, 6);
            assertEquals(10 * 8 + 10 * 16 + 10 * (8 + 2), adam.stateBytes());
        }
        try (Optimizer<?> sgd = Optimizer.sgd(0.1).build()) {
            sgd.defaultGroup().add(new float[10], new float[10]);
            assertEquals(0, sgd.stateBytes());
        }
        try (Optimizer<?> amsgrad = Optimizer.adam().amsgrad(true).build()) {
            amsgrad.defaultGroup().add(Precision.FP16, new short[5], new short[5]);
            assertEquals(5 * 12, amsgrad.stateBytes());
            assertEquals(5 * 12, amsgrad.params().get(0).stateBytes());
        }
    }

    /** For Adam the tiled definition and Adam's own 16-bit reference are one specification: the same bits. */
    @Test
    void forAdamTheGeneralReferenceIsAdamsOwn() {
        SplittableRandom rnd = new SplittableRandom(3);
        List<String> compared = new ArrayList<>();
        for (OptimizerConfig config : AlgorithmsOptimizerTest.CONFIGS) {
            if (!(config.algorithm().startsWith("adam") && !config.algorithm().equals("adamax"))) {
                continue;
            }
            AdamConfig adam = (AdamConfig) OptimizerConfig.fromPyTorch(config.algorithm(), config.hyperparameters());
            for (LowPrecision fmt : LowPrecision.values()) {
                for (Rounding rounding : Rounding.values()) {
                    int n = 300;
                    short[] p = new short[n], g = new short[n], comp = new short[n];
                    for (int i = 0; i < n; i++) {
                        p[i] = fmt.fromFloatNearestEven((float) rnd.nextGaussian());
                        g[i] = i % 50 == 0 ? Bf16.NAN : fmt.fromFloatNearestEven((float) (0.1 * rnd.nextGaussian()));
                    }
                    short[] p2 = p.clone(), comp2 = comp.clone();
                    float[][] state = new float[adam.stateArrays().size()][n], state2 = new float[state.length][n];
                    for (long t = 1; t <= 3; t++) {
                        LowPrecisionSteps.reference(adam.step(t), fmt, rounding, p, g, state, comp, 0, n, 5, 9);
                        LowPrecisionAdamReference.fused(adam.step(t), fmt, rounding, p2, g, state2[0], state2[1],
                                adam.amsgrad() ? state2[2] : null, comp2, 0, n, 5, 9);
                    }
                    assertArrayEquals(p2, p, config + " " + fmt + " " + rounding);
                    assertArrayEquals(comp2, comp, config + " " + fmt + " " + rounding);
                    compared.add(config.algorithm());
                }
            }
        }
        assertEquals(3 * 2 * 3, compared.size(), compared.toString());
    }
}
