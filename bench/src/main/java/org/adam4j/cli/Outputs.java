package org.adam4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks, before a command does any work, that what it will write can be written where it goes: a run of minutes
 * must not end in an error about its output folder, and an unusable folder must cost one line and nothing written.
 */
final class Outputs {
    private Outputs() {
    }

    /**
     * {@code dir} (given by {@code option}) must be a folder, or not exist yet under a folder that does: the nearest
     * existing ancestor must be a writable folder.
     */
    static void checkFolder(Path dir, String option) throws UnusableException {
        Path p = dir.toAbsolutePath().normalize();
        if (Files.exists(p) && !Files.isDirectory(p)) {
            throw new UnusableException(dir + ": " + option + " needs a folder, and this is a file");
        }
        Path existing = p;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return;
        }
        if (!Files.isDirectory(existing)) {
            throw new UnusableException(dir + ": " + option + " cannot be created, " + existing + " is a file");
        }
        if (!Files.isWritable(existing)) {
            throw new UnusableException(dir + ": " + option + " cannot be written, " + existing + " is read-only");
        }
    }

    /** {@code file}, which the command will (re)write, must not be a folder. */
    static void checkFile(Path file, String option) throws UnusableException {
        if (Files.isDirectory(file)) {
            throw new UnusableException(file + ": " + option + " would write a file here, and this is a folder");
        }
    }
}
