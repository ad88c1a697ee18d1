package org.adam4j.reference.cases;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.adam4j.reference.cases.Npy.NpyFormatException;

/**
 * The dict literal of a .npy header, read as NumPy reads it or refused. NumPy evaluates the header with Python's
 * {@code ast.literal_eval}, then insists on exactly the keys {@code descr}, {@code fortran_order} and {@code shape},
 * a tuple of ints for the shape and a bool for the order. This parser accepts the plain subset of Python literals
 * that NumPy (and every other writer seen) writes: quoted strings without escapes, {@code True}/{@code False},
 * decimal integers (with Python 2's {@code L} suffix, which NumPy still reads), tuples, spaces, tabs and newlines.
 * Everything else is refused rather than read differently from NumPy: a duplicate key (NumPy keeps the last), an
 * extra or missing key, {@code (1031)} for a shape (an int, not a tuple: NumPy refuses it), control or NUL bytes,
 * escapes, comments, other literals.
 */
final class NpyHeader {
    private static final String READS = "little-endian float32 ('<f4'), float64 ('<f8'), uint16 ('<u2', 16-bit "
            + "patterns) or uint8 ('|u1', 8-bit codes)";
    private static final List<String> KEYS = List.of("descr", "fortran_order", "shape");

    private final Path file;
    private final String text;
    /** Where the header starts in the file: messages give positions in the file. */
    private final int base;
    private int pos;

    private NpyHeader(Path file, String text, int base) {
        this.file = file;
        this.text = text;
        this.base = base;
    }

    /** The dtype and shape of a header's bytes, which start at byte {@code base} of the file, or a refusal. */
    static Npy.Header parse(Path file, byte[] bytes, int base) throws NpyFormatException {
        // Versions 1.0 and 2.0 are latin-1; every byte is one char, so positions are byte offsets.
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        return new NpyHeader(file, text, base).header();
    }

    private Npy.Header header() throws NpyFormatException {
        Map<String, Object> dict = dict();
        for (String key : KEYS) {
            if (!dict.containsKey(key)) {
                throw bad("header lacks '" + key + "': " + abbreviate(text));
            }
        }
        for (String key : dict.keySet()) {
            if (!KEYS.contains(key)) {
                throw bad("header has the key '" + key + "', which NumPy refuses (it allows only descr, "
                        + "fortran_order and shape)");
            }
        }
        NpyArray.DType dtype;
        if (!(dict.get("descr") instanceof String descr)) {
            throw bad("descr is not a string: " + describe(dict.get("descr")) + "; adam4j reads " + READS);
        }
        switch (descr) {
            case "<f4" -> dtype = NpyArray.DType.F32;
            case "<f8" -> dtype = NpyArray.DType.F64;
            case "<u2" -> dtype = NpyArray.DType.U16;
            // NumPy writes '|u1' and reads a byte alike whatever order the descr names
            case "|u1", "<u1", ">u1" -> dtype = NpyArray.DType.U8;
            case ">f4", ">f8", ">u2" -> throw bad("big-endian data ('" + descr + "'); adam4j reads " + READS);
            default -> throw bad("dtype '" + Printable.escape(descr) + "' is not supported; adam4j reads " + READS);
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw bad("fortran_order is not True or False: " + describe(dict.get("fortran_order")));
        }
        if (fortran) {
            throw bad("Fortran-order data; adam4j reads C order only");
        }
        Object shape = dict.get("shape");
        if (!(shape instanceof long[] dims)) {
            throw bad("shape " + describe(shape) + " is not a tuple"
                    + (shape instanceof Long n ? " (write (" + n + ",) for one dimension; NumPy refuses it too)" : ""));
        }
        if (dims.length < 1 || dims.length > 2) {
            throw bad("shape " + describe(dims) + " has " + dims.length
                    + " dimensions; adam4j reads 1-D and 2-D arrays");
        }
        long count = 1;
        for (long d : dims) {
            if (d < 0) {
                throw bad("bad shape " + describe(dims) + ": a dimension is negative");
            }
            if (d > Npy.MAX_ELEMENTS) {
                throw bad("shape " + describe(dims) + " is too large for one Java array");
            }
            count *= d;
            if (count > Npy.MAX_ELEMENTS) {
                throw bad("shape " + describe(dims) + " is too large for one Java array");
            }
        }
        return new Npy.Header(dtype, Arrays.stream(dims).mapToInt(d -> (int) d).toArray());
    }

    private Map<String, Object> dict() throws NpyFormatException {
        space();
        if (!take('{')) {
            throw bad("header is not a dict: " + abbreviate(text));
        }
        Map<String, Object> dict = new LinkedHashMap<>();
        space();
        while (!take('}')) {
            int at = pos;
            Object key = value();
            if (!(key instanceof String k)) {
                throw bad("header key " + describe(key) + " at byte " + (base + at) + " is not a string");
            }
            space();
            expect(':');
            space();
            Object v = value();
            if (dict.putIfAbsent(k, v) != null) {
                throw bad("header has the key '" + Printable.escape(k) + "' twice (NumPy would take the last)");
            }
            space();
            if (!take(',')) {
                space();
                expect('}');
                break;
            }
            space();
        }
        space();
        if (pos < text.length()) {
            throw bad("header has " + unexpected() + " after its dict");
        }
        return dict;
    }

    /** A string, a bool, an int (Long) or a tuple of ints (long[]). */
    private Object value() throws NpyFormatException {
        if (pos >= text.length()) {
            throw bad("header ends early: " + abbreviate(text));
        }
        char c = text.charAt(pos);
        if (c == '\'' || c == '"') {
            return string(c);
        }
        if (c == '(') {
            return tuple();
        }
        if (c >= '0' && c <= '9') {
            return integer();
        }
        if (text.startsWith("True", pos) && !word(pos + 4)) {
            pos += 4;
            return Boolean.TRUE;
        }
        if (text.startsWith("False", pos) && !word(pos + 5)) {
            pos += 5;
            return Boolean.FALSE;
        }
        throw bad("header has " + unexpected() + " where a value belongs (adam4j reads strings, True, False, whole "
                + "numbers and tuples)");
    }

    private String string(char quote) throws NpyFormatException {
        int start = ++pos;
        while (pos < text.length() && text.charAt(pos) != quote) {
            char c = text.charAt(pos);
            if (c == '\\') {
                throw bad("header string at byte " + (base + start - 1) + " has a backslash escape; adam4j reads plain "
                        + "strings only");
            }
            if (c < 0x20 || c > 0x7e) {
                throw bad("header string at byte " + (base + start - 1) + " holds the byte " + hex(c));
            }
            pos++;
        }
        if (pos >= text.length()) {
            throw bad("header string at byte " + (base + start - 1) + " is not closed");
        }
        return text.substring(start, pos++);
    }

    private long[] tuple() throws NpyFormatException {
        int open = pos++;
        List<Long> items = new ArrayList<>();
        boolean comma = false;
        space();
        while (!take(')')) {
            Object item = value();
            if (!(item instanceof Long n)) {
                throw bad("header tuple at byte " + (base + open) + " holds " + describe(item)
                        + ", not a whole number");
            }
            items.add(n);
            space();
            comma = take(',');
            space();
            if (!comma) {
                expect(')');
                break;
            }
        }
        if (items.size() == 1 && !comma) {
            // Python reads (1031) as a parenthesized int; NumPy then refuses it as a shape.
            long n = items.get(0);
            throw bad("(" + n + ") at byte " + (base + open) + " is not a tuple (write (" + n
                    + ",) for one dimension; NumPy refuses it too)");
        }
        return items.stream().mapToLong(Long::longValue).toArray();
    }

    private Long integer() throws NpyFormatException {
        int start = pos;
        while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
            pos++;
        }
        String digits = text.substring(start, pos);
        if (digits.length() > 1 && digits.charAt(0) == '0') {
            throw bad("header number " + digits + " has a leading zero, which Python refuses");
        }
        if (pos < text.length() && (text.charAt(pos) == 'L' || text.charAt(pos) == 'l')) {
            pos++; // Python 2's long suffix, which NumPy strips from version 1.0 and 2.0 headers
        }
        if (word(pos)) {
            throw bad("header has " + unexpected() + " inside the number at byte " + (base + start));
        }
        if (digits.length() > 18) {
            throw bad("header number " + abbreviate(digits) + " is too large for an array dimension");
        }
        return Long.parseLong(digits);
    }

    /** Whether the char at {@code i} would continue a Python name or number. */
    private boolean word(int i) {
        if (i >= text.length()) {
            return false;
        }
        char c = text.charAt(i);
        return Character.isLetterOrDigit(c) || c == '_' || c == '.';
    }

    private void space() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private boolean take(char c) {
        if (pos < text.length() && text.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c) throws NpyFormatException {
        if (!take(c)) {
            throw bad("header has " + unexpected() + " where '" + c + "' belongs: " + abbreviate(text));
        }
    }

    private String unexpected() {
        if (pos >= text.length()) {
            return "its end";
        }
        char c = text.charAt(pos);
        return (c >= 0x20 && c <= 0x7e ? "'" + c + "'" : "the byte " + hex(c)) + " at byte " + (base + pos);
    }

    private static String hex(char c) {
        return String.format("0x%02X", (int) c);
    }

    private static String describe(Object v) {
        if (v instanceof String s) {
            return "'" + Printable.escape(abbreviate(s)) + "'";
        }
        if (v instanceof long[] t) {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < t.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(t[i]);
            }
            return sb.append(t.length == 1 ? ",)" : ")").toString();
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        return String.valueOf(v);
    }

    private static String abbreviate(String s) {
        String t = s.strip();
        return Printable.escape(t.length() > 80 ? t.substring(0, 77) + "..." : t);
    }

    private NpyFormatException bad(String problem) {
        return new NpyFormatException(file, problem);
    }
}
