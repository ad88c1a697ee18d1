package org.adam4j.cli;

/** Bad arguments or unusable input: the message is printed on one line and the command exits with status 2. */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
