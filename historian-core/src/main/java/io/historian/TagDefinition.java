package io.historian;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

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
 * <p><b>Exception and compression</b> (PI's model, off by default: every sample is stored): a
 * deadband drops samples that differ from the last passed one by no more than the deviation, and
 * swinging-door compression keeps only the samples needed to redraw the signal within its deviation.
 * <pre>{@code
 * TagDefinition.of("pump.speed").deadband(0.5).swingingDoor(1.0, Duration.ofMinutes(10))
 * TagDefinition.of("tank.level").span(0, 200).deadbandPercent(0.25).exceptionMax(Duration.ofMinutes(5))
 * }</pre>
 * Quality changes, NaN/infinite values and out-of-order samples always pass. See docs/compression.md in the repository.
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
    private final Filters filters;

    private TagDefinition(String name, String unit, String description, Interpolation interpolation,
            boolean rejectNonFinite, Filters filters) {
        this.name = name;
        this.unit = unit;
        this.description = description;
        this.interpolation = interpolation;
        this.rejectNonFinite = rejectNonFinite;
        this.filters = filters;
    }

    /**
     * A definition with the defaults: no unit, no description, linear interpolation, NaN and
     * infinities accepted.
     *
     * @param name the tag name; see the class comment for what is valid
     * @return the definition
     * @throws IllegalArgumentException if the name is invalid, saying why
     */
    public static TagDefinition of(String name) {
        Objects.requireNonNull(name, "name");
        String problem = nameProblem(name);
        if (problem != null) {
            throw new IllegalArgumentException("invalid tag name: " + problem + " [tag=" + name + "]");
        }
        return new TagDefinition(name, "", "", Interpolation.LINEAR, false, Filters.NONE);
    }

    /**
     * Why a name is invalid, for checking names before they reach a write.
     *
     * @param name the candidate tag name, not null
     * @return a short reason such as {@code "contains '..'"}, or {@code null} if the name is valid
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

    /** {@return the tag name} */
    public String name() {
        return name;
    }

    /** {@return the engineering unit, or an empty string} */
    public String unit() {
        return unit;
    }

    /** {@return the description, or an empty string} */
    public String description() {
        return description;
    }

    /** {@return how values between samples are read} */
    public Interpolation interpolation() {
        return interpolation;
    }

    /** {@return true when NaN and infinite values are refused for this tag} */
    public boolean rejectNonFinite() {
        return rejectNonFinite;
    }

    /**
     * The same definition with the given engineering unit.
     *
     * @param unit the unit, such as {@code "°C"}; empty for none
     * @return a new definition; this one is unchanged
     */
    public TagDefinition unit(String unit) {
        return new TagDefinition(name, Objects.requireNonNull(unit, "unit"), description, interpolation, rejectNonFinite,
                filters);
    }

    /**
     * The same definition with the given description.
     *
     * @param description free text; empty for none
     * @return a new definition; this one is unchanged
     */
    public TagDefinition description(String description) {
        return new TagDefinition(name, unit, Objects.requireNonNull(description, "description"), interpolation,
                rejectNonFinite, filters);
    }

    /**
     * The same definition with the given interpolation.
     *
     * @param interpolation linear for analog signals, stepped for states and set points
     * @return a new definition; this one is unchanged
     */
    public TagDefinition interpolation(Interpolation interpolation) {
        return new TagDefinition(name, unit, description, Objects.requireNonNull(interpolation, "interpolation"),
                rejectNonFinite, filters);
    }

    /**
     * The same definition, refusing (true) or accepting (false) NaN and infinite values.
     *
     * @param reject true to refuse non-finite values with {@link RejectReason#NON_FINITE_VALUE}
     * @return a new definition; this one is unchanged
     */
    public TagDefinition rejectNonFinite(boolean reject) {
        return new TagDefinition(name, unit, description, interpolation, reject, filters);
    }

    // ---------------------------------------------------------------- exception and compression

    /**
     * The same definition with an absolute exception deadband (PI's ExcDev): a sample passes the
     * exception filter when it differs from the last passed value by more than {@code deviation}, in
     * the tag's unit. Zero keeps every change and drops exact repeats. Replaces a
     * {@link #deadbandPercent(double)}.
     *
     * @param deviation the deadband in the tag's unit, finite and at least 0
     * @return a new definition; this one is unchanged
     * @throws IllegalArgumentException if the deviation is negative, NaN or infinite
     */
    public TagDefinition deadband(double deviation) {
        return withFilters(filters.withDeadband(checkDeviation("deadband", deviation), Double.NaN));
    }

    /**
     * The same definition with an exception deadband in percent of the tag's {@link #span(double, double)
     * span} (PI's ExcDevPercent): {@code deadbandPercent(0.5)} on a 0..200 span is a deadband of 1.0.
     * The span must be set first; a later {@code span(...)} rescales the deadband.
     *
     * @param percent the deadband in percent of the span's width, 0 to 100
     * @return a new definition; this one is unchanged
     * @throws IllegalArgumentException if the percent is not in [0, 100]
     * @throws IllegalStateException if the tag has no span
     */
    public TagDefinition deadbandPercent(double percent) {
        if (!(percent >= 0 && percent <= 100)) {
            throw new IllegalArgumentException("invalid deadbandPercent: must be in [0, 100] [tag=" + name
                    + ", deadbandPercent=" + percent + "]");
        }
        if (filters.span == null) {
            throw new IllegalStateException("deadbandPercent needs a span: call span(low, high) first [tag=" + name
                    + ", deadbandPercent=" + percent + "]");
        }
        return withFilters(filters.withDeadband(percent / 100 * filters.span.width(), percent + 0.0));
    }

    /**
     * The same definition with the expected value range (PI's Zero and Span), which
     * {@link #deadbandPercent(double)} is a percent of.
     *
     * @param low the bottom of the range, in the tag's unit
     * @param high the top of the range, above {@code low}
     * @return a new definition; this one is unchanged
     * @throws IllegalArgumentException if a bound is NaN or infinite, or {@code low >= high}
     */
    public TagDefinition span(double low, double high) {
        if (!Double.isFinite(low) || !Double.isFinite(high) || low >= high) {
            throw new IllegalArgumentException("invalid span: bounds must be finite with low < high [tag=" + name
                    + ", low=" + low + ", high=" + high + "]");
        }
        // + 0.0 turns -0.0 into 0.0, so that equal settings are equal definitions
        Span span = new Span(low + 0.0, high + 0.0);
        double deadband = Double.isNaN(filters.deadbandPercent) ? filters.deadband
                : filters.deadbandPercent / 100 * span.width();
        return withFilters(new Filters(deadband, filters.deadbandPercent, span, filters.exceptionMinMs,
                filters.exceptionMaxMs, filters.doorDeviation, filters.doorMinMs, filters.doorMaxMs));
    }

    /**
     * The same definition with a minimum time between exception reports (PI's ExcMin): a sample that
     * exceeds the deadband sooner than this after the last passed one is dropped. Quality changes
     * and NaN/infinite values pass regardless. Default zero. Applies only with a deadband.
     *
     * @param min the minimum time, zero or more, kept to the millisecond
     * @return a new definition; this one is unchanged
     * @throws IllegalArgumentException if negative or longer than {@link #exceptionMax()}
     */
    public TagDefinition exceptionMin(Duration min) {
        long ms = millis("exceptionMin", min, 0);
        if (ms > filters.exceptionMaxMs) {
            throw new IllegalArgumentException("exceptionMin longer than exceptionMax [tag=" + name
                    + ", exceptionMin=" + min + ", exceptionMax=" + exceptionMax() + "]");
        }
        return withFilters(new Filters(filters.deadband, filters.deadbandPercent, filters.span, ms,
                filters.exceptionMaxMs, filters.doorDeviation, filters.doorMinMs, filters.doorMaxMs));
    }

    /**
     * The same definition with a maximum time between exception reports (PI's ExcMax): a sample
     * passes when this much time has elapsed since the last passed one, whatever its value.
     * Default 10 minutes (PI's default). Applies only with a deadband.
     *
     * @param max the maximum time, at least 1 ms, kept to the millisecond
     * @return a new definition; this one is unchanged
     * @throws IllegalArgumentException if shorter than 1 ms or than {@link #exceptionMin()}
     */
    public TagDefinition exceptionMax(Duration max) {
        long ms = millis("exceptionMax", max, 1);
        if (ms < filters.exceptionMinMs) {
            throw new IllegalArgumentException("exceptionMax shorter than exceptionMin [tag=" + name
                    + ", exceptionMin=" + exceptionMin() + ", exceptionMax=" + max + "]");
        }
        return withFilters(new Filters(filters.deadband, filters.deadbandPercent, filters.span,
                filters.exceptionMinMs, ms, filters.doorDeviation, filters.doorMinMs, filters.doorMaxMs));
    }

    /**
     * The same definition with swinging-door compression (PI's CompDev and CompMax, CompMin zero).
     * See {@link #swingingDoor(double, Duration, Duration)}.
     *
     * @param deviation the compression deviation in the tag's unit, finite and at least 0
     * @param maxTime the longest time between stored samples, at least 1 ms
     * @return a new definition; this one is unchanged
     * @throws IllegalArgumentException if an argument is out of range
     */
    public TagDefinition swingingDoor(double deviation, Duration maxTime) {
        return swingingDoor(deviation, Duration.ZERO, maxTime);
    }

    /**
     * The same definition with swinging-door compression: of the samples that pass the exception
     * filter, only those needed to redraw the signal by linear interpolation within
     * {@code deviation} (in the tag's unit, PI's CompDev) are stored. {@code maxTime} (CompMax)
     * bounds the time between stored samples; {@code minTime} (CompMin) suppresses storing a sample
     * sooner than this after the last stored one. Quality changes and NaN/infinite values are
     * always stored, with the sample before them.
     *
     * @param deviation the compression deviation in the tag's unit, finite and at least 0
     * @param minTime the shortest time between stored samples, zero or more
     * @param maxTime the longest time between stored samples, at least 1 ms and not below {@code minTime}
     * @return a new definition; this one is unchanged
     * @throws IllegalArgumentException if the deviation is negative, NaN or infinite, {@code minTime}
     *     is negative, {@code maxTime} is shorter than 1 ms, or {@code minTime > maxTime}
     */
    public TagDefinition swingingDoor(double deviation, Duration minTime, Duration maxTime) {
        double dev = checkDeviation("swingingDoor deviation", deviation);
        long min = millis("swingingDoor minTime", minTime, 0);
        long max = millis("swingingDoor maxTime", maxTime, 1);
        if (min > max) {
            throw new IllegalArgumentException("swingingDoor minTime longer than maxTime [tag=" + name
                    + ", minTime=" + minTime + ", maxTime=" + maxTime + "]");
        }
        return withFilters(new Filters(filters.deadband, filters.deadbandPercent, filters.span,
                filters.exceptionMinMs, filters.exceptionMaxMs, dev, min, max));
    }

    /** {@return true when an exception deadband or swinging-door compression is set: not every sample is stored} */
    public boolean hasFilter() {
        return !Double.isNaN(filters.deadband) || !Double.isNaN(filters.doorDeviation);
    }

    /** {@return the absolute exception deadband in effect (percent settings resolved), or empty for none} */
    public OptionalDouble deadband() {
        return Double.isNaN(filters.deadband) ? OptionalDouble.empty() : OptionalDouble.of(filters.deadband);
    }

    /** {@return the deadband in percent of the span, or empty unless it was set that way} */
    public OptionalDouble deadbandPercent() {
        return Double.isNaN(filters.deadbandPercent) ? OptionalDouble.empty()
                : OptionalDouble.of(filters.deadbandPercent);
    }

    /** {@return the expected value range, or empty if not set} */
    public Optional<Span> span() {
        return Optional.ofNullable(filters.span);
    }

    /** {@return the minimum time between exception reports; zero by default} */
    public Duration exceptionMin() {
        return Duration.ofMillis(filters.exceptionMinMs);
    }

    /** {@return the maximum time between exception reports; 10 minutes by default} */
    public Duration exceptionMax() {
        return Duration.ofMillis(filters.exceptionMaxMs);
    }

    /** {@return the swinging-door deviation, or empty when the tag is not compressed} */
    public OptionalDouble swingingDoorDeviation() {
        return Double.isNaN(filters.doorDeviation) ? OptionalDouble.empty() : OptionalDouble.of(filters.doorDeviation);
    }

    /** {@return the swinging door's minimum time between stored samples; zero when not compressed} */
    public Duration swingingDoorMinTime() {
        return Duration.ofMillis(filters.doorMinMs);
    }

    /** {@return the swinging door's maximum time between stored samples; zero when not compressed} */
    public Duration swingingDoorMaxTime() {
        return Duration.ofMillis(filters.doorMaxMs);
    }

    private TagDefinition withFilters(Filters f) {
        return new TagDefinition(name, unit, description, interpolation, rejectNonFinite, f);
    }

    private double checkDeviation(String what, double deviation) {
        if (!(deviation >= 0) || deviation == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("invalid " + what + ": must be finite and >= 0 [tag=" + name + ", "
                    + what.replace(' ', '.') + "=" + deviation + "]");
        }
        return deviation + 0.0;
    }

    private long millis(String what, Duration d, long least) {
        Objects.requireNonNull(d, what);
        long ms;
        try {
            ms = d.toMillis();
        } catch (ArithmeticException e) {
            ms = Long.MAX_VALUE;
        }
        if (d.isNegative() || ms < least) {
            throw new IllegalArgumentException("invalid " + what + ": must be at least " + least + " ms [tag=" + name
                    + ", " + what.replace(' ', '.') + "=" + d + "]");
        }
        if (ms == Long.MAX_VALUE) {
            throw new IllegalArgumentException("invalid " + what + ": too long [tag=" + name + ", "
                    + what.replace(' ', '.') + "=" + d + "]");
        }
        return ms;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TagDefinition t && t.name.equals(name) && t.unit.equals(unit)
                && t.description.equals(description) && t.interpolation == interpolation
                && t.rejectNonFinite == rejectNonFinite && t.filters.equals(filters);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, unit, description, interpolation, rejectNonFinite, filters);
    }

    @Override
    public String toString() {
        return "TagDefinition[name=" + name + ", unit=" + unit + ", interpolation=" + interpolation
                + ", rejectNonFinite=" + rejectNonFinite + filters.describe() + "]";
    }

    /**
     * The range a tag's values are expected in (PI's Zero and Zero + Span).
     *
     * @param low the bottom of the range
     * @param high the top of the range, above {@code low}
     */
    public record Span(double low, double high) {
        /** {@return {@code high - low}} */
        public double width() {
            return high - low;
        }
    }

    /** The filter settings, NaN meaning "off"; a record, so equality treats NaN as equal to NaN. */
    private record Filters(double deadband, double deadbandPercent, Span span, long exceptionMinMs,
            long exceptionMaxMs, double doorDeviation, long doorMinMs, long doorMaxMs) {
        static final long DEFAULT_EXCEPTION_MAX_MS = 600_000;
        static final Filters NONE = new Filters(Double.NaN, Double.NaN, null, 0, DEFAULT_EXCEPTION_MAX_MS, Double.NaN,
                0, 0);

        Filters withDeadband(double deviation, double percent) {
            return new Filters(deviation, percent, span, exceptionMinMs, exceptionMaxMs, doorDeviation, doorMinMs,
                    doorMaxMs);
        }

        String describe() {
            StringBuilder s = new StringBuilder();
            if (span != null) {
                s.append(", span=").append(span.low).append("..").append(span.high);
            }
            if (!Double.isNaN(deadband)) {
                s.append(", deadband=").append(deadband);
                if (!Double.isNaN(deadbandPercent)) {
                    s.append(" (").append(deadbandPercent).append("%)");
                }
                s.append(", exceptionMin=").append(Duration.ofMillis(exceptionMinMs))
                        .append(", exceptionMax=").append(Duration.ofMillis(exceptionMaxMs));
            }
            if (!Double.isNaN(doorDeviation)) {
                s.append(", swingingDoor=").append(doorDeviation).append('/').append(Duration.ofMillis(doorMinMs))
                        .append('/').append(Duration.ofMillis(doorMaxMs));
            }
            return s.toString();
        }
    }
}
