package org.adam4j.reference.cases;

/**
 * Text taken from a file, made safe to print in a one-line message: a damaged or hostile file must not be able to
 * move the cursor, recolour the terminal or start a new line through an error message.
 */
public final class Printable {
    private Printable() {
    }

    /**
     * {@code s} with every control character (C0, DEL, C1), line or paragraph separator and invisible format
     * character (bidirectional overrides, say) written as {@code \}{@code uXXXX}; other characters, non-ASCII letters
     * included, are kept.
     *
     * @param s this step's scalars (from the configuration's {@code step(t)})
     * @return {@code s} with every character that is not printable ASCII escaped
     */
    public static String escape(CharSequence s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (unsafe(c)) {
                if (sb == null) {
                    sb = new StringBuilder(s.length() + 16).append(s, 0, i);
                }
                sb.append(String.format("\\u%04x", (int) c));
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? s.toString() : sb.toString();
    }

    private static boolean unsafe(char c) {
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
            return true;
        }
        int type = Character.getType(c);
        return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                || type == Character.SURROGATE || type == Character.UNASSIGNED || type == Character.PRIVATE_USE;
    }
}
