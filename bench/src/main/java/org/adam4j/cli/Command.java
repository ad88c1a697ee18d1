package org.adam4j.cli;

import java.io.PrintStream;

/** One {@code ./adam4j} subcommand. */
public interface Command {
    /** Exit status for success. */
    int OK = 0;
    /** Exit status when the command ran but found a failure (a case that does not match, say). */
    int FAILED = 1;
    /** Exit status for bad arguments or unusable input. */
    int USAGE = 2;

    String name();

    /** One line for the command list in {@code ./adam4j --help}. */
    String summary();

    /** The full usage text shown by {@code ./adam4j NAME --help}. */
    String usage();

    /** Runs with the arguments after the command name and returns the exit status. */
    int run(String[] args, PrintStream out, PrintStream err) throws Exception;
}
