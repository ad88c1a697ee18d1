package org.adam4j.optim;

/**
 * {@code cos} and integer powers rounded from a double-double (about 106 bits) result, so they agree with a
 * correctly rounded libm (glibc's, which Python's {@code math.cos} and {@code **} call) but for results within
 * 2^-106 relative of a rounding boundary. {@code Math.cos} and {@code StrictMath.cos} differ from glibc in the last bit
 * for about 0.2% and 3% of arguments, and PyTorch's recursive cosine schedule amplifies such a bit near its minimum
 * (it divides {@code 1 + cos} terms close to zero) to far more than one ulp of the learning rate.
 */
final class CorrectlyRounded {
    private static final double PIO2_1 = 0x1.921fb54442d18p+0;
    private static final double PIO2_2 = 0x1.1a62633145c07p-54;
    private static final double PIO2_3 = -0x1.f1976b7ed8fbcp-110;
    private static final double TWO_OVER_PI = 0x1.45f306dc9c883p-1;
    /** Beyond it {@code k * PIO2_n} loses the bits the three-part reduction needs. */
    private static final double MAX_ARGUMENT = 0x1p40;

    private CorrectlyRounded() {
    }

    /** {@code cos(x)} correctly rounded (but for hard cases); {@link StrictMath#cos} beyond 2^40 in magnitude. */
    static double cos(double x) {
        double a = Math.abs(x);
        if (!(a < MAX_ARGUMENT)) {
            return StrictMath.cos(x);
        }
        double k = Math.rint(a * TWO_OVER_PI);
        // r = a - k * pi/2 in double-double, from three exact products
        double[] r = {a, 0};
        sub(r, k * PIO2_1, Math.fma(k, PIO2_1, -(k * PIO2_1)));
        sub(r, k * PIO2_2, Math.fma(k, PIO2_2, -(k * PIO2_2)));
        sub(r, k * PIO2_3, Math.fma(k, PIO2_3, -(k * PIO2_3)));
        int quadrant = (int) ((long) k & 3);
        double[] v = (quadrant & 1) == 0 ? series(r, true) : series(r, false);
        double result = v[0] + v[1];
        return quadrant == 1 || quadrant == 2 ? -result : result;
    }

    /** {@code base^n} for an integer {@code n >= 0}, rounded once from double-double products. */
    static double pow(double base, long n) {
        if (n < 0 || n > 64) {
            return StrictMath.pow(base, n);
        }
        double[] acc = {1, 0};
        for (long i = 0; i < n; i++) {
            mul(acc, base, 0);
        }
        return acc[0] + acc[1];
    }

    /** cos(r) ({@code cos}) or sin(r) by Taylor series in double-double, |r| <= pi/4 + a little. */
    private static double[] series(double[] r, boolean cos) {
        double[] r2 = r.clone();
        mul(r2, r[0], r[1]);
        double[] term = cos ? new double[] {1, 0} : r.clone();
        double[] sum = term.clone();
        int n = cos ? 0 : 1;
        for (int i = 0; i < 16; i++) {
            mul(term, r2[0], r2[1]);
            div(term, -(double) ((n + 1) * (n + 2)));
            n += 2;
            add(sum, term[0], term[1]);
        }
        return sum;
    }

    private static void add(double[] a, double bh, double bl) {
        double s = a[0] + bh;
        double bb = s - a[0];
        double e = (a[0] - (s - bb)) + (bh - bb);
        double t = a[1] + bl;
        double tb = t - a[1];
        double f = (a[1] - (t - tb)) + (bl - tb);
        e += t;
        double h = s + e;
        e = e - (h - s);
        e += f;
        a[0] = h + e;
        a[1] = e - (a[0] - h);
    }

    private static void sub(double[] a, double bh, double bl) {
        add(a, -bh, -bl);
    }

    private static void mul(double[] a, double bh, double bl) {
        double p = a[0] * bh;
        double e = Math.fma(a[0], bh, -p) + (a[0] * bl + a[1] * bh);
        a[0] = p + e;
        a[1] = e - (a[0] - p);
    }

    private static void div(double[] a, double b) {
        double q1 = a[0] / b;
        double p = q1 * b;
        double pe = Math.fma(q1, b, -p);
        double q2 = (((a[0] - p) - pe) + a[1]) / b;
        a[0] = q1 + q2;
        a[1] = q2 - (a[0] - q1);
    }
}
