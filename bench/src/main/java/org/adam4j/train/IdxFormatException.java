package org.adam4j.train;

import java.io.IOException;

/** An IDX file that is not what it should be; the message is one line naming the file and what is wrong. */
public final class IdxFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public IdxFormatException(String message) {
        super(message);
    }
}
