package org.adam4j.bench;

import java.lang.foreign.MemorySegment;
import org.adam4j.kernels.AdamKernel_F32;
import org.adam4j.reference.AdagradReference_F32;
import org.adam4j.reference.AdagradStep;
import org.adam4j.reference.AdamReference_F32;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.GradNormReference_F32;
import org.adam4j.reference.AdamaxReference_F32;
import org.adam4j.reference.AdamaxStep;
import org.adam4j.reference.LazyRowsReference_F32;
import org.adam4j.reference.NAdamReference_F32;
import org.adam4j.reference.NAdamStep;
import org.adam4j.reference.RAdamReference_F32;
import org.adam4j.reference.RAdamStep;
import org.adam4j.reference.RmspropReference_F32;
import org.adam4j.reference.RmspropStep;
import org.adam4j.reference.SgdReference_F32;
import org.adam4j.reference.SgdStep;

/**
 * The references' arithmetic, except that one element of {@code p} is a unit in the last place off after each array
 * operation that writes {@code p} (what the workloads run); the segment operations and the moments are the
 * reference's own. For the benchmarks' tests: their checks must catch it.
 */
final class OffByOneUlp_F32 extends AdamKernel_F32 {
    private final int wrongIndex;

    OffByOneUlp_F32(int wrongIndex) {
        this.wrongIndex = wrongIndex;
    }

    @Override
    public String name() {
        return "off-by-one-ulp";
    }

    @Override
    public int lanes() {
        return 1;
    }

    @Override
    protected void adamaxSlice(AdamaxStep s, float[] p, float[] g, float[] m, float[] u, int off, int len) {
        AdamaxReference_F32.step(s, p, g, m, u, off, len);
        spoil(p, off, len);
    }

    @Override
    protected void nadamSlice(NAdamStep s, float[] p, float[] g, float[] m, float[] v, int off, int len) {
        NAdamReference_F32.step(s, p, g, m, v, off, len);
        spoil(p, off, len);
    }

    @Override
    protected void radamSlice(RAdamStep s, float[] p, float[] g, float[] m, float[] v, int off, int len) {
        RAdamReference_F32.step(s, p, g, m, v, off, len);
        spoil(p, off, len);
    }

    @Override
    protected void sgdSlice(SgdStep s, float[] p, float[] g, float[] buf, int off, int len) {
        SgdReference_F32.step(s, p, g, buf, off, len);
        spoil(p, off, len);
    }

    @Override
    protected void rmspropSlice(RmspropStep s, float[] p, float[] g, float[] sq, float[] ga, float[] buf,
            int off, int len) {
        RmspropReference_F32.step(s, p, g, sq, ga, buf, off, len);
        spoil(p, off, len);
    }

    @Override
    protected void adagradSlice(AdagradStep s, float[] p, float[] g, float[] sum, int off, int len) {
        AdagradReference_F32.step(s, p, g, sum, off, len);
        spoil(p, off, len);
    }

    @Override
    protected void momentsSlice(AdamStep s, float[] p, float[] g, float[] m, float[] v, float[] vmax, int off,
            int len) {
        AdamReference_F32.moments(s, p, g, m, v, vmax, off, len);
    }

    @Override
    protected void paramsSlice(AdamStep s, float[] p, float[] m, float[] v, float[] vmax, int off, int len) {
        AdamReference_F32.params(s, p, m, v, vmax, off, len);
        spoil(p, off, len);
    }

    @Override
    protected void fusedSlice(AdamStep s, float[] p, float[] g, float[] m, float[] v, float[] vmax, int off,
            int len) {
        AdamReference_F32.fused(s, p, g, m, v, vmax, off, len);
        spoil(p, off, len);
    }

    @Override
    protected void fusedAtSlice(AdamStep s, float[] p, float[] g, int gOff, float[] m, float[] v, float[] vmax,
            int off, int len) {
        AdamReference_F32.fusedAt(s, p, g, gOff, m, v, vmax, off, len);
        spoil(p, off, len);
    }

    @Override
    protected void decaySlice(AdamStep s, float[] p, float[] m, float[] v, int off, int len, float pFactor,
            float mFactor, float vFactor) {
        LazyRowsReference_F32.decay(s, p, m, v, off, len, pFactor, mFactor, vFactor);
    }

    @Override
    protected void momentsSegment(AdamStep s, MemorySegment p, MemorySegment g, MemorySegment m,
            MemorySegment v, MemorySegment vmax, long off, long len) {
        AdamReference_F32.moments(s, p, g, m, v, vmax, off, len);
    }

    @Override
    protected void paramsSegment(AdamStep s, MemorySegment p, MemorySegment m, MemorySegment v,
            MemorySegment vmax, long off, long len) {
        AdamReference_F32.params(s, p, m, v, vmax, off, len);
    }

    @Override
    protected void fusedSegment(AdamStep s, MemorySegment p, MemorySegment g, MemorySegment m, MemorySegment v,
            MemorySegment vmax, long off, long len) {
        AdamReference_F32.fused(s, p, g, m, v, vmax, off, len);
        if (wrongIndex >= off && wrongIndex < off + len) {
            p.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, wrongIndex,
                    Math.nextUp(p.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, wrongIndex)));
        }
    }

    @Override
    protected void adamaxSegment(AdamaxStep s, MemorySegment p, MemorySegment g, MemorySegment m,
            MemorySegment u, long off, long len) {
        AdamaxReference_F32.step(s, p, g, m, u, off, len);
    }

    @Override
    protected void nadamSegment(NAdamStep s, MemorySegment p, MemorySegment g, MemorySegment m, MemorySegment v,
            long off, long len) {
        NAdamReference_F32.step(s, p, g, m, v, off, len);
    }

    @Override
    protected void radamSegment(RAdamStep s, MemorySegment p, MemorySegment g, MemorySegment m, MemorySegment v,
            long off, long len) {
        RAdamReference_F32.step(s, p, g, m, v, off, len);
    }

    @Override
    protected void sgdSegment(SgdStep s, MemorySegment p, MemorySegment g, MemorySegment buf, long off,
            long len) {
        SgdReference_F32.step(s, p, g, buf, off, len);
    }

    @Override
    protected void rmspropSegment(RmspropStep s, MemorySegment p, MemorySegment g, MemorySegment sq,
            MemorySegment ga, MemorySegment buf, long off, long len) {
        RmspropReference_F32.step(s, p, g, sq, ga, buf, off, len);
    }

    @Override
    protected void adagradSegment(AdagradStep s, MemorySegment p, MemorySegment g, MemorySegment sum, long off,
            long len) {
        AdagradReference_F32.step(s, p, g, sum, off, len);
    }

    private void spoil(float[] p, int off, int len) {
        if (wrongIndex >= off && wrongIndex < off + len) {
            p[wrongIndex] = Math.nextUp(p[wrongIndex]);
        }
    }

    /** A block sum one unit in the last place off (the reduction's own check must catch it). */
    @Override
    protected double blockSumOfSquaresSlice(float[] x, float scale, int off, int len) {
        return Math.nextUp(GradNormReference_F32.blockSumOfSquares(x, scale, off, len));
    }

    @Override
    protected double blockSumOfSquaresSegment(MemorySegment x, float scale, long off, int len) {
        return GradNormReference_F32.blockSumOfSquares(x, scale, off, len);
    }

    @Override
    protected float maxAbsSlice(float[] x, float scale, int off, int len) {
        return GradNormReference_F32.maxAbs(x, scale, off, len);
    }

    @Override
    protected float maxAbsSegment(MemorySegment x, float scale, long off, long len) {
        return GradNormReference_F32.maxAbs(x, scale, off, len);
    }

    @Override
    protected void scaleSlice(float[] x, float scale, float coef, int off, int len) {
        GradNormReference_F32.scale(x, scale, coef, off, len);
    }

    @Override
    protected void scaleSegment(MemorySegment x, float scale, float coef, long off, long len) {
        GradNormReference_F32.scale(x, scale, coef, off, len);
    }

    @Override
    protected float updateStatsSlice(float[] before, float[] after, int len, double[] paramSums, double[] updateSums,
            int at) {
        return GradNormReference_F32.updateStats(before, after, len, paramSums, updateSums, at);
    }
}
