package io.historian;

import java.util.Objects;

/**
 * A tag's name and metadata. Instances are immutable: each setter returns a new definition.
 *
 * <pre>{@code
 * Historian.builder()
 *     .tag(TagDefinition.of("boiler.temp").unit("°C").description("boiler outlet").interpolation(Interpolation.LINEAR))
 *     .tag(TagDefinition.of("pump.running").interpolation(Interpolation.STEPPED).rejectNonFinite(true))
 *     ...
 * }</pre>
 *
 * <p><b>Names</b> are 1 to {@value #MAX_NAME_LENGTH} characters, printable (no control characters),
 * without leading or trailing spaces, without {@code ..} (names reach file and object keys) and
 * without {@code *} or {@code ?} (they are pattern characters in queries). Dots, dashes, slashes
 * and any other printable Unicode are fine: {@code plant/line-1/boiler.temp}.
 *
 * <p><b>Thread safety:</b> immutable.
 */
public final class TagDefinition {
    /** The longest accepted tag name, in characters. */
    public static final int MAX_NAME_LENGTH = 256;

    private final String name;
    private final String unit;
    private final String description;
    private final Interpolation interpolation;
    private final boolean rejectNonFinite;

    private TagDefinition(String name, String unit, String description, Interpolation interpolation,
            boolean rejectNonFinite) {
        this.name = name;
        this.unit = unit;
        this.description = description;
        this.interpolation = interpolation;
        this.rejectNonFinite = rejectNonFinite;
    }

    /**
     * A definition with the defaults: no unit, no description, linear interpolation, NaN and
     * infinities accepted.
     *
     * @throws IllegalArgumentException if the name is invalid, saying why
     */
    public static TagDefinition of(String name) {
        Objects.requireNonNull(name, "name");
        String problem = nameProblem(name);
        if (problem != null) {
            throw new IllegalArgumentException("invalid tag name: " + problem + " [tag=" + name + "]");
        }
        return new TagDefinition(name, "", "", Interpolation.LINEAR, false);
    }

    /**
     * Why a name is invalid, or {@code null} if it is valid.
     */
    public static String nameProblem(String name) {
        if (name.isEmpty()) {
            return "empty";
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return "longer than " + MAX_NAME_LENGTH + " characters (" + name.length() + ")";
        }
        if (Character.isWhitespace(name.charAt(0)) || Character.isWhitespace(name.charAt(name.length() - 1))) {
            return "leading or trailing whitespace";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                return "control character at index " + i;
            }
            if (c == '*' || c == '?') {
                return "pattern character '" + c + "' at index " + i;
            }
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < name.length()
                        && Character.isLowSurrogate(name.charAt(i + 1));
                if (!paired) {
                    return "unpaired surrogate at index " + i;
                }
                i++;
            }
        }
        if (name.contains("..")) {
            return "contains '..'";
        }
        return null;
    }

    /** The tag name. */
    public String name() {
        return name;
    }

    /** The engineering unit, or an empty string. */
    public String unit() {
        return unit;
    }

    /** A description, or an empty string. */
    public String description() {
        return description;
    }

    /** How values between samples are read. */
    public Interpolation interpolation() {
        return interpolation;
    }

    /** True when NaN and infinite values are refused for this tag. */
    public boolean rejectNonFinite() {
        return rejectNonFinite;
    }

    /** The same definition with the given engineering unit. */
    public TagDefinition unit(String unit) {
        return new TagDefinition(name, Objects.requireNonNull(unit, "unit"), description, interpolation, rejectNonFinite);
    }

    /** The same definition with the given description. */
    public TagDefinition description(String description) {
        return new TagDefinition(name, unit, Objects.requireNonNull(description, "description"), interpolation,
                rejectNonFinite);
    }

    /** The same definition with the given interpolation. */
    public TagDefinition interpolation(Interpolation interpolation) {
        return new TagDefinition(name, unit, description, Objects.requireNonNull(interpolation, "interpolation"),
                rejectNonFinite);
    }

    /** The same definition, refusing (true) or accepting (false) NaN and infinite values. */
    public TagDefinition rejectNonFinite(boolean reject) {
        return new TagDefinition(name, unit, description, interpolation, reject);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TagDefinition t && t.name.equals(name) && t.unit.equals(unit)
                && t.description.equals(description) && t.interpolation == interpolation
                && t.rejectNonFinite == rejectNonFinite;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, unit, description, interpolation, rejectNonFinite);
    }

    @Override
    public String toString() {
        return "TagDefinition[name=" + name + ", unit=" + unit + ", interpolation=" + interpolation
                + ", rejectNonFinite=" + rejectNonFinite + "]";
    }
}
