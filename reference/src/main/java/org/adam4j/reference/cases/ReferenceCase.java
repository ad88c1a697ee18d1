package org.adam4j.reference.cases;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.adam4j.reference.Blockwise8bit;
import org.adam4j.reference.GradGuard;
import org.adam4j.reference.LowPrecision;

/**
 * One recorded optimizer trajectory in the format of {@code shared/reference-cases/FORMAT.md}: {@code case.json},
 * {@code param0.npy} {@code (n,)}, {@code grads.npy} and {@code params.npy} {@code (steps, n)}, and one {@code (n,)}
 * file per state name listed under {@code "state"}. Loading checks every shape and dtype against {@code case.json}.
 *
 * <p>A case with {@code "state_precision": "8bit"} records its state after every step instead, as the 8-bit
 * reference keeps it ({@code Adam8bitReference}, {@code Blockwise8bit}): each listed state {@code X_absmax} is
 * {@code (steps, blocks)} float32, one absmax per block of {@link #blockSize} elements, and every other listed state
 * {@code (steps, n)} uint8 codes ({@code bench/src/test/resources/cases/README.md} describes the format).
 */
public final class ReferenceCase {
    /** The case folder. */
    public final Path dir;
    /** The case's name: its folder's name. */
    public final String name;
    /** {@code case.json}. */
    public final JsonObject json;
    /** The recorded optimizer's name ({@code adam}, {@code adamw}, {@code sgd}, ...). */
    public final String optimizer;
    /**
     * The element type of the parameter and gradient arrays ({@code param0}, {@code grads}, {@code params}):
     * {@link NpyArray.DType#U16} for a 16-bit case, whose format {@link #storage} names.
     */
    public final NpyArray.DType dtype;
    /**
     * {@code "dtype": "bfloat16"} or {@code "float16"}: the 16-bit format of the parameter and gradient, stored as
     * uint16 bit patterns; {@code null} for float32 and float64 cases.
     */
    public final LowPrecision storage;
    /**
     * The element type of the state arrays: {@link #dtype}, or float32 in a 16-bit case; in an 8-bit case float32 for
     * the absmax arrays (the codes are uint8).
     */
    public final NpyArray.DType stateDtype;
    /**
     * {@code "state_precision"}: {@link #F32_STATES} (the default: states in {@link #stateDtype}) or
     * {@link #EIGHT_BIT_STATES}.
     */
    public final String statePrecision;
    /** {@code "block_size"} of an 8-bit case (256 when absent); 0 in other cases. */
    public final int blockSize;
    /** The number of elements of the parameter. */
    public final int n;
    /** The number of recorded steps. */
    public final int steps;
    /** The parameter before the first step, {@code (n,)}. */
    public final NpyArray param0;
    /** The gradient of every step, {@code (steps, n)}. */
    public final NpyArray grads;
    /** The parameter after every step, {@code (steps, n)}. */
    public final NpyArray params;
    /**
     * The final optimizer state, by PyTorch's names, in the order case.json lists them; in an 8-bit case the state
     * after every step, one row per step.
     */
    public final Map<String, NpyArray> states;
    /**
     * {@code "grad_none_steps"}: the 1-based steps on which the parameter has no gradient ({@code p.grad = None}):
     * PyTorch skips it, so nothing changes and its own step count does not advance. Empty when absent.
     */
    public final java.util.Set<Integer> gradNoneSteps;
    /**
     * {@code "grad_scale"}, {@code "skip_non_finite"} and {@code "clip_grad_norm"}: what guards each step, applied in
     * the order unscale, check, clip, step; {@link GradGuard#NONE} when all are absent.
     */
    public final GradGuard guard;

    /** {@code "state_precision"} of a case whose states are kept at full precision (the key's default). */
    public static final String F32_STATES = "f32";
    /** {@code "state_precision"} of a case whose states are 8-bit blockwise codes and absmax. */
    public static final String EIGHT_BIT_STATES = "8bit";
    /** The block size of an 8-bit case without {@code "block_size"}: bitsandbytes' 256. */
    public static final int DEFAULT_BLOCK_SIZE = 256;
    /** The suffix of an 8-bit state's absmax array: {@code exp_avg_absmax} is {@code exp_avg}'s. */
    public static final String ABSMAX_SUFFIX = "_absmax";

    private ReferenceCase(Path dir, JsonObject json, NpyArray.DType dtype, LowPrecision storage, int n, int steps,
            int blockSize, NpyArray param0, NpyArray grads, NpyArray params, Map<String, NpyArray> states,
            java.util.Set<Integer> gradNoneSteps, GradGuard guard) {
        this.dir = dir;
        this.name = dir.toAbsolutePath().normalize().getFileName().toString();
        this.json = json;
        this.optimizer = json.get("optimizer").getAsString();
        this.dtype = dtype;
        this.storage = storage;
        this.stateDtype = storage == null ? dtype : NpyArray.DType.F32;
        this.statePrecision = blockSize > 0 ? EIGHT_BIT_STATES : F32_STATES;
        this.blockSize = blockSize;
        this.n = n;
        this.steps = steps;
        this.param0 = param0;
        this.grads = grads;
        this.params = params;
        this.states = Collections.unmodifiableMap(states);
        this.gradNoneSteps = gradNoneSteps;
        this.guard = guard;
    }

    /** {@return whether the states are 8-bit blockwise codes and absmax, recorded after every step} */
    public boolean eightBit() {
        return blockSize > 0;
    }

    /** {@return case.json's {@code "dtype"}: {@code float32}, {@code float64}, {@code bfloat16} or {@code float16}} */
    public String dtypeName() {
        return storage == LowPrecision.BF16 ? "bfloat16" : storage == LowPrecision.FP16 ? "float16" : dtype.numpyName();
    }

    /** PyTorch's flags that change how a step is computed, not what: booleans, checked for every optimizer. */
    private static final List<String> FLAGS = List.of("foreach", "differentiable", "capturable", "fused");

    /**
     * Reads the case in {@code dir}.
     *
     * @param dir the case folder
     * @return the case, every array read and checked
     * @throws CaseFormatException      for a case.json that is not the format's (format 1; keys of the right types)
     * @throws Npy.NpyFormatException   for an array file that is missing, malformed or of another shape or dtype
     *                                  than case.json says
     */
    public static ReferenceCase load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new CaseFormatException(dir + (Files.exists(dir) ? ": not a case folder (a case is a folder holding "
                    + "case.json)" : ": no such case folder"));
        }
        Path jsonFile = dir.resolve("case.json");
        JsonObject json = readJson(jsonFile);
        checkFormat(jsonFile, json);
        String optimizer = string(jsonFile, json, "optimizer");
        String dt = string(jsonFile, json, "dtype");
        NpyArray.DType dtype = switch (dt) {
            case "float32" -> NpyArray.DType.F32;
            case "float64" -> NpyArray.DType.F64;
            case "bfloat16", "float16" -> NpyArray.DType.U16;
            default -> throw new CaseFormatException(jsonFile + ": dtype '" + Printable.escape(dt)
                    + "' is not float32, float64, bfloat16 or float16");
        };
        LowPrecision storage = switch (dt) {
            case "bfloat16" -> LowPrecision.BF16;
            case "float16" -> LowPrecision.FP16;
            default -> null;
        };
        if (!optimizer.matches("[a-z0-9_]+")) {
            throw new CaseFormatException(jsonFile + ": bad optimizer name '" + Printable.escape(optimizer) + "'");
        }
        for (String flag : FLAGS) {
            JsonElement e = json.get(flag);
            if (e != null && !(e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean())) {
                throw new CaseFormatException(jsonFile + ": '" + flag + "' is not true or false: " + shown(e));
            }
        }
        JsonElement producer = json.get("producer");
        if (producer != null && !(producer.isJsonPrimitive() && producer.getAsJsonPrimitive().isString())) {
            throw new CaseFormatException(jsonFile + ": 'producer' is not a string: " + shown(producer));
        }
        int n = positiveInt(jsonFile, json, "n");
        int steps = positiveInt(jsonFile, json, "steps");
        int blockSize = blockSize(jsonFile, json, dtype);
        NpyArray param0 = array(dir, "param0.npy", dtype, n);
        NpyArray grads = array(dir, "grads.npy", dtype, steps, n);
        NpyArray params = array(dir, "params.npy", dtype, steps, n);
        Map<String, NpyArray> states = new LinkedHashMap<>();
        for (String state : stateNames(jsonFile, json)) {
            if (blockSize > 0) {
                boolean absmax = state.endsWith(ABSMAX_SUFFIX);
                states.put(state, array(dir, state + ".npy", absmax ? NpyArray.DType.F32 : NpyArray.DType.U8, steps,
                        absmax ? Blockwise8bit.blocks(n, blockSize) : n));
            } else {
                states.put(state, array(dir, state + ".npy", storage == null ? dtype : NpyArray.DType.F32, n));
            }
        }
        return new ReferenceCase(dir, json, dtype, storage, n, steps, blockSize, param0, grads, params, states,
                gradNoneSteps(jsonFile, json, steps), guard(jsonFile, json));
    }

    /**
     * The block size of an 8-bit case ({@code "block_size"}, 256 when absent), or 0 for a case whose states are kept
     * in the dtype ({@code "state_precision"} absent or {@code "f32"} over float32 states), which must not give one.
     */
    private static int blockSize(Path file, JsonObject json, NpyArray.DType dtype) throws CaseFormatException {
        JsonElement e = json.get("state_precision");
        String precision = F32_STATES;
        if (e != null) {
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw new CaseFormatException(file + ": 'state_precision' is not a string: " + shown(e));
            }
            precision = e.getAsString();
        }
        switch (precision) {
            case F32_STATES -> {
                if (e != null && dtype == NpyArray.DType.F64) {
                    throw new CaseFormatException(file + ": state_precision 'f32' with dtype 'float64': a float64 "
                            + "case keeps float64 states (leave the key out)");
                }
                if (json.has("block_size")) {
                    throw new CaseFormatException(file + ": 'block_size' applies to state_precision '8bit' only");
                }
                return 0;
            }
            case EIGHT_BIT_STATES -> {
                return json.has("block_size") ? positiveInt(file, json, "block_size") : DEFAULT_BLOCK_SIZE;
            }
            case "bf16" -> throw new CaseFormatException(file + ": state_precision 'bf16' is not read by adam4j yet "
                    + "(it reads f32 and 8bit)");
            default -> throw new CaseFormatException(file + ": state_precision '" + Printable.escape(precision)
                    + "' is not f32, bf16 or 8bit");
        }
    }

    private static GradGuard guard(Path jsonFile, JsonObject json) throws CaseFormatException {
        double scale = 1.0;
        JsonElement s = json.get("grad_scale");
        if (s != null) {
            if (!s.isJsonPrimitive() || !s.getAsJsonPrimitive().isNumber() || !(s.getAsDouble() > 0)
                    || !Double.isFinite(s.getAsDouble())) {
                throw new CaseFormatException(jsonFile + ": 'grad_scale' is not a finite positive number: " + shown(s));
            }
            scale = s.getAsDouble();
        }
        boolean skip = false;
        JsonElement k = json.get("skip_non_finite");
        if (k != null) {
            if (!k.isJsonPrimitive() || !k.getAsJsonPrimitive().isBoolean()) {
                throw new CaseFormatException(jsonFile + ": 'skip_non_finite' is not true or false: " + shown(k));
            }
            skip = k.getAsBoolean();
        }
        double maxNorm = Double.POSITIVE_INFINITY, normType = 2.0;
        JsonElement c = json.get("clip_grad_norm");
        if (c != null) {
            String bad = jsonFile + ": 'clip_grad_norm' is not {\"max_norm\": a positive number, \"norm_type\": 2 or"
                    + " \"inf\"}: " + shown(c);
            if (!c.isJsonObject()) {
                throw new CaseFormatException(bad);
            }
            JsonObject o = c.getAsJsonObject();
            JsonElement m = o.get("max_norm"), t = o.get("norm_type");
            if (o.size() != 2 || m == null || t == null || !m.isJsonPrimitive() || !m.getAsJsonPrimitive().isNumber()
                    || !(m.getAsDouble() > 0) || !t.isJsonPrimitive()) {
                throw new CaseFormatException(bad);
            }
            maxNorm = m.getAsDouble();
            if (t.getAsJsonPrimitive().isString() && t.getAsString().equals("inf")) {
                normType = Double.POSITIVE_INFINITY;
            } else if (t.getAsJsonPrimitive().isNumber() && t.getAsDouble() == 2.0) {
                normType = 2.0;
            } else {
                throw new CaseFormatException(bad);
            }
        }
        return new GradGuard(scale, skip, maxNorm, normType);
    }

    private static java.util.Set<Integer> gradNoneSteps(Path jsonFile, JsonObject json, int steps)
            throws CaseFormatException {
        JsonElement e = json.get("grad_none_steps");
        if (e == null) {
            return java.util.Set.of();
        }
        if (!e.isJsonArray()) {
            throw new CaseFormatException(jsonFile + ": 'grad_none_steps' is not a list of steps: " + shown(e));
        }
        java.util.Set<Integer> out = new java.util.TreeSet<>();
        for (JsonElement x : e.getAsJsonArray()) {
            if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber() || x.getAsDouble() != Math.rint(
                    x.getAsDouble()) || x.getAsDouble() < 1 || x.getAsDouble() > steps) {
                throw new CaseFormatException(jsonFile + ": 'grad_none_steps' holds " + shown(x) + ", not a step "
                        + "from 1 to " + steps);
            }
            if (!out.add(x.getAsInt())) {
                throw new CaseFormatException(jsonFile + ": 'grad_none_steps' lists step " + x.getAsInt() + " twice");
            }
        }
        return java.util.Collections.unmodifiableSet(out);
    }

    /**
     * {@return the value of a number key, or {@code fallback} (PyTorch's default) when absent}
     *
     * @param key the hyperparameter's name, PyTorch's
     * @param fallback what is returned when the key is absent
     * @throws CaseFormatException if the value is there but has the wrong type
     */
    public double number(String key, double fallback) throws CaseFormatException {
        JsonElement e = json.get(key);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new CaseFormatException(file() + ": '" + key + "' is not a number: " + shown(e));
        }
        return e.getAsDouble();
    }

    /**
     * {@return the value of a boolean key, or {@code fallback} when absent}
     *
     * @param key the hyperparameter's name, PyTorch's
     * @param fallback what is returned when the key is absent
     * @throws CaseFormatException if the value is there but has the wrong type
     */
    public boolean bool(String key, boolean fallback) throws CaseFormatException {
        JsonElement e = json.get(key);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new CaseFormatException(file() + ": '" + key + "' is not true or false: " + shown(e));
        }
        return e.getAsBoolean();
    }

    /**
     * {@return the two numbers of a pair key (such as {@code betas}), or {@code fallback} when absent}
     *
     * @param key the hyperparameter's name, PyTorch's
     * @param first the first value's default
     * @param second the second value's default
     * @throws CaseFormatException if the value is there but has the wrong type
     */
    public double[] pair(String key, double first, double second) throws CaseFormatException {
        JsonElement e = json.get(key);
        if (e == null || e.isJsonNull()) {
            return new double[] {first, second};
        }
        if (!e.isJsonArray() || e.getAsJsonArray().size() != 2) {
            throw new CaseFormatException(file() + ": '" + key + "' is not a list of two numbers: " + shown(e));
        }
        JsonArray a = e.getAsJsonArray();
        double[] out = new double[2];
        for (int i = 0; i < 2; i++) {
            if (!a.get(i).isJsonPrimitive() || !a.get(i).getAsJsonPrimitive().isNumber()) {
                throw new CaseFormatException(file() + ": '" + key + "' is not a list of two numbers: " + shown(e));
            }
            out[i] = a.get(i).getAsDouble();
        }
        return out;
    }

    /**
     * Refuses keys this optimizer does not implement; {@code known} are the option keys it reads (the format's own
     * keys are always allowed).
     *
     * @param known the keys the caller understands
     * @throws CaseFormatException if the value is there but has the wrong type
     */
    public void requireOnlyKeys(List<String> known) throws CaseFormatException {
        List<String> allowed = new ArrayList<>(List.of("format", "optimizer", "dtype", "n", "steps", "state",
                "producer", "foreach", "differentiable", "capturable", "fused", "grad_none_steps", "grad_scale",
                "skip_non_finite", "clip_grad_norm", "state_precision", "block_size"));
        allowed.addAll(known);
        for (String key : json.keySet()) {
            if (!allowed.contains(key)) {
                throw new CaseFormatException(file() + ": option '" + Printable.escape(key) + "' of " + optimizer
                        + " is not implemented by adam4j (it knows " + String.join(", ", known) + ")");
            }
        }
        for (String flag : List.of("capturable", "differentiable", "fused")) {
            if (bool(flag, false)) {
                throw new CaseFormatException(file() + ": option '" + flag + "=true' is not implemented by adam4j");
            }
        }
    }

    /**
     * Row {@code step} (0-based) of a {@code (steps, n)} array, as floats (a 16-bit case's bit patterns decoded in
     * its {@link #storage} format, exactly).
     *
     * @param a the array (one row per step)
     * @param step the row, 0 for the first recorded step
     * @return row {@code step} of {@code a} as floats
     */
    public float[] rowF32(NpyArray a, int step) {
        if (a.u16() != null) {
            float[] out = new float[n];
            storage.toFloat(a.u16(), step * n, out, 0, n);
            return out;
        }
        return a.f32() != null ? Arrays.copyOfRange(a.f32(), step * n, (step + 1) * n) : toF32(a.f64(), step * n, n);
    }

    /**
     * Row {@code step} (0-based) of a {@code (steps, n)} array, as doubles (decoded as {@link #rowF32} decodes).
     *
     * @param a the array (one row per step)
     * @param step the row, 0 for the first recorded step
     * @return row {@code step} of {@code a} as doubles
     */
    public double[] rowF64(NpyArray a, int step) {
        if (a.f64() != null) {
            return Arrays.copyOfRange(a.f64(), step * n, (step + 1) * n);
        }
        return a.f32() != null ? toF64(a.f32(), step * n, n) : toF64(rowF32(a, step), 0, n);
    }

    /** {@return {@code case.json}'s path, for messages} */
    public Path file() {
        return dir.resolve("case.json");
    }

    private static float[] toF32(double[] d, int off, int len) {
        float[] out = new float[len];
        for (int i = 0; i < len; i++) {
            out[i] = (float) d[off + i];
        }
        return out;
    }

    private static double[] toF64(float[] f, int off, int len) {
        double[] out = new double[len];
        for (int i = 0; i < len; i++) {
            out[i] = f[off + i];
        }
        return out;
    }

    /** A case.json is a few hundred bytes; anything near this is not one, and is not read into memory. */
    static final int MAX_JSON_BYTES = 1 << 20;

    private static JsonObject readJson(Path file) throws IOException {
        String text;
        try {
            if (Files.isDirectory(file)) {
                throw new CaseFormatException(file + ": is a folder, not a file");
            }
            long size = Files.size(file);
            if (size > MAX_JSON_BYTES) {
                throw new CaseFormatException(file + ": " + size + " bytes, too large for a case.json (adam4j reads up "
                        + "to " + MAX_JSON_BYTES + ")");
            }
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new CaseFormatException(file + ": no such file");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new CaseFormatException(file + ": not UTF-8 text");
        } catch (CaseFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new CaseFormatException(file + ": cannot be read: "
                    + (e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                    : Printable.escape(String.valueOf(e.getMessage()))));
        }
        return parseJson(file, text);
    }

    /** The JSON object of a case.json's text, or a one-line refusal naming {@code file}. */
    static JsonObject parseJson(Path file, String text) throws CaseFormatException {
        if (text.isBlank()) {
            throw new CaseFormatException(file + ": empty file, not JSON");
        }
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            JsonElement e = JsonParser.parseReader(reader);
            if (reader.peek() != com.google.gson.stream.JsonToken.END_DOCUMENT) {
                throw new CaseFormatException(file + ": not JSON: trailing text after the object");
            }
            if (!e.isJsonObject()) {
                throw new CaseFormatException(file + ": not a JSON object");
            }
            return e.getAsJsonObject();
        } catch (JsonParseException | IllegalStateException | IOException e) {
            if (e instanceof CaseFormatException c) {
                throw c;
            }
            throw new CaseFormatException(file + ": not JSON: " + Printable.escape(jsonProblem(e)));
        }
    }

    /**
     * Gson's account of where the text stops being JSON, without its exception class names or its advice to parse
     * leniently (which would accept what PyTorch's json.dump never writes).
     */
    private static String jsonProblem(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String why = root.getMessage() == null ? "" : root.getMessage().lines().findFirst().orElse("");
        why = why.replaceFirst("^Use JsonReader\\.set\\w+\\([^)]*\\) to accept malformed JSON", "malformed")
                .replaceFirst("^([a-z]+\\.)+[A-Za-z]+Exception: ", "").trim();
        return why.isEmpty() ? "malformed" : why;
    }

    /**
     * {@code "format"} must be the number 1, the only version there is; a case without the key is read as format 1
     * (the first cases had none).
     */
    private static void checkFormat(Path file, JsonObject json) throws CaseFormatException {
        JsonElement e = json.get("format");
        if (e == null) {
            return;
        }
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            try {
                if (new java.math.BigDecimal(e.getAsString()).compareTo(java.math.BigDecimal.ONE) == 0) {
                    return;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new CaseFormatException(file + ": format " + shown(e) + " is not one adam4j reads (it reads 1)");
        }
        throw new CaseFormatException(file + ": 'format' is not a number: " + shown(e) + " (adam4j reads format 1)");
    }

    /** A value from the file, as JSON, shortened and made printable for a one-line message. */
    static String shown(JsonElement e) {
        String s = e.toString();
        return Printable.escape(s.length() > 80 ? s.substring(0, 77) + "..." : s);
    }

    private static String string(Path file, JsonObject json, String key) throws CaseFormatException {
        JsonElement e = json.get(key);
        if (e == null) {
            throw new CaseFormatException(file + ": lacks the key '" + key + "'");
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new CaseFormatException(file + ": '" + key + "' is not a string: " + shown(e));
        }
        return e.getAsString();
    }

    private static int positiveInt(Path file, JsonObject json, String key) throws CaseFormatException {
        JsonElement e = json.get(key);
        if (e == null) {
            throw new CaseFormatException(file + ": lacks the key '" + key + "'");
        }
        try {
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
                double d = e.getAsDouble();
                if (d >= 1 && d <= Integer.MAX_VALUE && d == Math.rint(d)) {
                    return (int) d;
                }
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new CaseFormatException(file + ": '" + key + "' is not a positive whole number: " + shown(e));
    }

    private static List<String> stateNames(Path file, JsonObject json) throws CaseFormatException {
        JsonElement e = json.get("state");
        if (e == null) {
            throw new CaseFormatException(file + ": lacks the key 'state'");
        }
        if (!e.isJsonArray()) {
            throw new CaseFormatException(file + ": 'state' is not a list of names: " + shown(e));
        }
        List<String> names = new ArrayList<>();
        for (JsonElement s : e.getAsJsonArray()) {
            if (!s.isJsonPrimitive() || !s.getAsJsonPrimitive().isString() || !s.getAsString().matches("[a-z0-9_]+")) {
                throw new CaseFormatException(file + ": bad state name " + shown(s));
            }
            names.add(s.getAsString());
        }
        return names;
    }

    private static NpyArray array(Path dir, String file, NpyArray.DType dtype, int... shape) throws IOException {
        Path path = dir.resolve(file);
        NpyArray a = Npy.read(path);
        if (a.dtype() != dtype) {
            throw new CaseFormatException(path + ": dtype " + a.dtype().numpyName() + ", but case.json says "
                    + dtype.numpyName());
        }
        if (!Arrays.equals(a.shape(), shape)) {
            throw new CaseFormatException(path + ": shape " + Arrays.toString(a.shape()) + ", expected "
                    + Arrays.toString(shape) + " from case.json");
        }
        return a;
    }
}
