package org.adam4j.cli;

/**
 * Input or output that cannot be used (a file where a folder belongs, data too large for the heap): the message,
 * which names the path or option, is printed on one line, without the usage, and the command exits with status 2.
 */
final class UnusableException extends Exception {
    private static final long serialVersionUID = 1L;

    UnusableException(String message) {
        super(message, null, false, false);
    }
}
