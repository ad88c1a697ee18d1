package org.adam4j.optim;

/** The element type of a parameter, named with EJML's suffixes. */
public enum Precision {
    /** {@code float}, 4 bytes. */
    F32(Float.BYTES),
    /** {@code double}, 8 bytes. */
    F64(Double.BYTES);

    private final int bytes;

    Precision(int bytes) {
        this.bytes = bytes;
    }

    /**
     * Bytes per element.
     *
     * @return the bytes per element: 4 or 8
     */
    public int bytes() {
        return bytes;
    }

    static Precision ofBytes(int bytes) {
        for (Precision p : values()) {
            if (p.bytes == bytes) {
                return p;
            }
        }
        throw new IllegalArgumentException("no precision has " + bytes + "-byte elements");
    }
}
