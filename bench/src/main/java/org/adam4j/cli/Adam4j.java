package org.adam4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

/** The {@code ./adam4j} launcher's entry point: dispatches to one {@link Command}. */
public final class Adam4j {
    /** Every command, in the order {@code --help} lists them. */
    static final List<Command> COMMANDS = List.of(new BenchCommand(), new ValidateCommand(), new TrainCommand(),
            new DemoCommand(), new InfoCommand());

    private Adam4j() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command line and returns its exit status (for tests: nothing here calls {@code System.exit}). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || isHelp(args[0]) || args[0].equals("help")) {
            if (args.length > 1 && args[0].equals("help")) {
                return run(new String[] {args[1], "--help"}, out, err);
            }
            out.print(usage());
            return args.length == 0 ? Command.USAGE : Command.OK;
        }
        if (args[0].equals("--version")) {
            out.println("adam4j " + version());
            return Command.OK;
        }
        Command command = COMMANDS.stream().filter(c -> c.name().equals(args[0])).findFirst().orElse(null);
        if (command == null) {
            err.println("adam4j: unknown command '" + args[0] + "'");
            err.print(usage());
            return Command.USAGE;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (Arrays.stream(rest).anyMatch(Adam4j::isHelp)) {
            out.print(command.usage());
            return Command.OK;
        }
        try {
            return command.run(rest, out, err);
        } catch (UsageException e) {
            err.println("adam4j " + command.name() + ": " + e.getMessage());
            err.print(command.usage());
            return Command.USAGE;
        } catch (UnusableException e) {
            err.println("adam4j " + command.name() + ": " + e.getMessage());
            return Command.USAGE;
        } catch (IOException e) {
            // A file that could not be read or written after the checks (a full disk, a file changed meanwhile).
            err.println("adam4j " + command.name() + ": " + ValidateCommand.message(e));
            return Command.USAGE;
        } catch (OutOfMemoryError e) {
            // The commands check sizes against the heap before they allocate; this is the net under those checks.
            err.println("adam4j " + command.name() + ": out of memory (" + e.getMessage()
                    + "): this JVM's heap holds at most " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB; give it more with -Xmx "
                    + "(ADAM4J_JAVA_OPTS=-Xmx8g ./adam4j ...)");
            return Command.USAGE;
        } catch (Exception e) {
            err.println("adam4j " + command.name() + ": " + e);
            return Command.FAILED;
        }
    }

    /** The Maven project version the build wrote into version.properties. */
    static String version() {
        try (InputStream in = Adam4j.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                throw new IllegalStateException("version.properties is missing from the build");
            }
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            String v = p.getProperty("version", "");
            if (v.isEmpty() || v.contains("${")) {
                throw new IllegalStateException("version.properties was not filtered by the build: '" + v + "'");
            }
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean isHelp(String arg) {
        return arg.equals("--help") || arg.equals("-h");
    }

    static String usage() {
        StringBuilder sb = new StringBuilder();
        sb.append("usage: ./adam4j COMMAND [OPTIONS]   (./adam4j COMMAND --help for its options)\n");
        sb.append("       ./adam4j --version\n\n");
        sb.append("adam4j: hand-vectorized Adam-family optimizer kernels for Java (jdk.incubator.vector).\n\n");
        sb.append("commands:\n");
        for (Command c : COMMANDS) {
            sb.append(String.format("  %-10s %s%n", c.name(), c.summary()));
        }
        sb.append("\nexit status: 0 success, 1 a check failed, 2 bad arguments or unusable input\n");
        return sb.toString();
    }
}
