package org.adam4j.reference.cases;

import java.io.IOException;

/** A reference case that cannot be used: the message names the file and the problem. */
public final class CaseFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * A case that is not in the format.
     *
     * @param message what is wrong, naming the file
     */
    public CaseFormatException(String message) {
        super(message);
    }
}
