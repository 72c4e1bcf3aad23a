package io.historian.internal.filter;

import io.historian.FilterStats;
import io.historian.TagDefinition;
import java.util.Objects;

/**
 * One tag's exception (deadband) filter followed by its swinging-door compression, with PI's
 * semantics. Internal: public only so that the benchmarks can reach it.
 *
 * <pre>{@code
 * SampleFilter filter = SampleFilter.of(TagDefinition.of("pump.speed").deadband(0.5)
 *         .swingingDoor(1.0, Duration.ofMinutes(10)));
 * filter.offer(t, v, quality, journal::append);   // 0 to 3 calls of the emitter
 * ...
 * filter.flush(journal::append);                   // at close: the held snapshot
 * }</pre>
 *
 * <h2>Model</h2>
 * Every input goes through the exception stage first. It keeps the last sample it passed ({@code
 * rep}) and the newest one it held back ({@code un}). An input passes when it differs from
 * {@code rep} by more than the deadband and at least ExcMin has elapsed since {@code rep} (then
 * {@code un} passes too, just before it, so that a trend shows where the change began), or when
 * ExcMax has elapsed since {@code rep} (alone), or when it is a quality event (see below; {@code un}
 * passes too). Everything else becomes the new {@code un}, replacing the previous one.
 *
 * <p>What passes goes to the swinging door. The door keeps the last archived sample (the anchor
 * {@code a}), the newest passed sample not yet archived (the held snapshot {@code h}), and the
 * range of slopes {@code [lower, upper]} from the anchor that pass within the deviation of every
 * sample after the anchor up to and including {@code h}. A new sample {@code n} whose slope from
 * the anchor lies in that range replaces {@code h}: the line from {@code a} to {@code n} passes
 * within the deviation of everything in between. Otherwise {@code h} is archived and becomes the
 * anchor, and {@code n} is held. {@code h} is also archived when {@code n} is more than CompMax
 * after the anchor, and never archived (only replaced) while it is less than CompMin after the
 * anchor.
 *
 * <p><b>Quality events</b> always pass both stages, with the sample before them: a sample whose
 * quality differs from the previous passed one, a NaN or infinite value, and the first finite
 * sample after one. The held snapshot is archived, then the event, which becomes the anchor.
 *
 * <p><b>Out-of-order</b> inputs ({@code t} before the newest seen) are archived at once and leave
 * both stages untouched. An input with the same timestamp as the newest seen replaces it (the
 * store keeps the last write): it is archived at once, the sample it replaces is dropped if it was
 * still pending, an older held snapshot is archived first, and both stages restart from it.
 *
 * <p><b>Invariants:</b> every archived sample is an input, emitted with its own {@code t}, value
 * and quality; in-order archives come out in time order; {@code offered = archived + filtered +
 * pending} at all times; without CompMin, linear interpolation of the archived samples passes within
 * the door deviation of every sample that passed the exception stage.
 *
 * <p><b>Thread safety:</b> none; one instance per tag, owned by the thread that writes the tag.
 * {@link #offer} allocates nothing.
 */
public final class SampleFilter {
    /** The most emitter calls one {@link #offer} makes (held snapshot, the sample before an event, the event). */
    public static final int MAX_EMITS_PER_OFFER = 3;

    private final String tag;
    private final boolean exception;
    private final double excDev;
    private final long excMin;
    private final long excMax;
    private final boolean door;
    private final double compDev;
    private final long compMin;
    private final long compMax;
    private final Fidelity fidelity;

    private boolean seen;
    private long newestT;

    private boolean reported;
    private long repT;
    private double repV;
    private int repQ;
    private boolean unreported;
    private long unT;
    private double unV;
    private int unQ;

    private boolean anchored;
    private long aT;
    private double aV;
    private int aQ;
    private boolean held;
    private long hT;
    private double hV;
    private int hQ;
    private double lower;
    private double upper;

    private long offered;
    private long passedException;
    private long archived;

    private SampleFilter(TagDefinition def, Fidelity fidelity) {
        this.tag = def.name();
        this.exception = def.deadband().isPresent();
        this.excDev = def.deadband().orElse(0);
        this.excMin = def.exceptionMin().toMillis();
        this.excMax = def.exceptionMax().toMillis();
        this.door = def.swingingDoorDeviation().isPresent();
        this.compDev = def.swingingDoorDeviation().orElse(0);
        this.compMin = def.swingingDoorMinTime().toMillis();
        this.compMax = def.swingingDoorMaxTime().toMillis();
        this.fidelity = fidelity;
    }

    /**
     * The filter a definition asks for. A definition without filters gives a filter that archives
     * every input at once (still counted); the engine skips it with {@link TagDefinition#hasFilter()}.
     */
    public static SampleFilter of(TagDefinition def) {
        return new SampleFilter(Objects.requireNonNull(def, "def"), null);
    }

    /**
     * As {@link #of(TagDefinition)}, measuring the reconstruction error with a {@link Fidelity}
     * that buffers at most {@code fidelityCapacity} raw samples between two archived ones.
     */
    public static SampleFilter of(TagDefinition def, int fidelityCapacity) {
        Objects.requireNonNull(def, "def");
        return new SampleFilter(def, new Fidelity(def.interpolation(), fidelityCapacity));
    }

    /**
     * Offers one input; {@code out} receives what is archived now, 0 to
     * {@value #MAX_EMITS_PER_OFFER} samples, in write order.
     */
    public void offer(long t, double v, int quality, Emitter out) {
        offered++;
        if (fidelity != null) {
            fidelity.raw(t, v, quality);
        }
        if (seen && t <= newestT) {
            passedException++;
            if (t < newestT) {
                archive(t, v, quality, out);
            } else {
                replaceNewest(t, v, quality, out);
            }
            return;
        }
        seen = true;
        newestT = t;
        if (!exception || !reported) {
            pass(t, v, quality, out);
            return;
        }
        if (quality != repQ || !Double.isFinite(v) || !Double.isFinite(repV)) {
            passHeldBack(out);
            pass(t, v, quality, out);
            return;
        }
        long dt = t - repT;
        if (dt >= excMin && Math.abs(v - repV) > excDev) {
            passHeldBack(out);
            pass(t, v, quality, out);
        } else if (dt >= excMax) {
            unreported = false;
            pass(t, v, quality, out);
        } else {
            unreported = true;
            unT = t;
            unV = v;
            unQ = quality;
        }
    }

    /**
     * Archives what the filter still holds: the newest input the exception stage held back and the
     * door's snapshot, so that nothing accepted before a close is lost and the archive ends at the
     * newest input. Emits 0 to 2 samples. The filter stays usable; a second flush emits nothing.
     */
    public void flush(Emitter out) {
        passHeldBack(out);
        if (held) {
            archiveHeld(out);
        }
    }

    private void passHeldBack(Emitter out) {
        if (unreported) {
            unreported = false;
            pass(unT, unV, unQ, out);
        }
    }

    private void pass(long t, double v, int q, Emitter out) {
        passedException++;
        reported = true;
        repT = t;
        repV = v;
        repQ = q;
        if (!door) {
            archive(t, v, q, out);
            return;
        }
        if (!anchored) {
            archiveAsAnchor(t, v, q, out);
            return;
        }
        double lastV = held ? hV : aV;
        int lastQ = held ? hQ : aQ;
        if (q != lastQ || !Double.isFinite(v) || !Double.isFinite(lastV)) {
            if (held) {
                archiveHeld(out);
            }
            archiveAsAnchor(t, v, q, out);
            return;
        }
        if (held && t - aT > compMax) {
            archiveHeld(out);
        }
        if (!held) {
            hold(t, v, q);
            openDoor(t, v);
            return;
        }
        double slope = (v - aV) / (t - aT);
        if ((slope >= lower && slope <= upper) || hT - aT < compMin) {
            hold(t, v, q);
            narrowDoor(t, v);
        } else {
            archiveHeld(out);
            hold(t, v, q);
            openDoor(t, v);
        }
    }

    private void replaceNewest(long t, double v, int q, Emitter out) {
        // The pending sample at t, if any, is the one being replaced: dropped, not archived.
        unreported = false;
        if (held && hT == t) {
            held = false;
        } else if (held) {
            archiveHeld(out);
        }
        reported = true;
        repT = t;
        repV = v;
        repQ = q;
        archiveAsAnchor(t, v, q, out);
    }

    private void hold(long t, double v, int q) {
        held = true;
        hT = t;
        hV = v;
        hQ = q;
    }

    private void openDoor(long t, double v) {
        double dt = t - aT;
        lower = (v - compDev - aV) / dt;
        upper = (v + compDev - aV) / dt;
    }

    private void narrowDoor(long t, double v) {
        double dt = t - aT;
        lower = Math.max(lower, (v - compDev - aV) / dt);
        upper = Math.min(upper, (v + compDev - aV) / dt);
    }

    private void archiveHeld(Emitter out) {
        held = false;
        archiveAsAnchor(hT, hV, hQ, out);
    }

    private void archiveAsAnchor(long t, double v, int q, Emitter out) {
        anchored = true;
        aT = t;
        aV = v;
        aQ = q;
        archive(t, v, q, out);
    }

    private void archive(long t, double v, int q, Emitter out) {
        archived++;
        if (fidelity != null) {
            fidelity.archived(t, v);
        }
        out.emit(t, v, q);
    }

    /** The tag this filter belongs to. */
    public String tag() {
        return tag;
    }

    /** Inputs offered. */
    public long offered() {
        return offered;
    }

    /** Inputs the exception stage passed on (out-of-order and replacing inputs included). */
    public long passedException() {
        return passedException;
    }

    /** Inputs archived (emitted). */
    public long archived() {
        return archived;
    }

    /** Inputs held and not yet decided: 0, 1 or 2 (the held-back input and the door's snapshot). */
    public long pending() {
        return (unreported ? 1 : 0) + (held ? 1 : 0);
    }

    /** Inputs dropped for good: {@code offered - archived - pending}. */
    public long filtered() {
        return offered - archived - pending();
    }

    /**
     * True while the door holds a snapshot: the newest passed sample, not yet archived. Reads of the
     * latest value may prefer it to the archive; range reads see only archived samples.
     */
    public boolean hasSnapshot() {
        return held;
    }

    /** True while the exception stage holds back an input that may still be archived. */
    public boolean hasHeldBack() {
        return unreported;
    }

    /** The held-back input's time; meaningful only while {@link #hasHeldBack()}. */
    public long heldBackTime() {
        return unT;
    }

    /** The snapshot's time; meaningful only while {@link #hasSnapshot()}. */
    public long snapshotTime() {
        return hT;
    }

    /** The snapshot's value; meaningful only while {@link #hasSnapshot()}. */
    public double snapshotValue() {
        return hV;
    }

    /** The snapshot's quality code; meaningful only while {@link #hasSnapshot()}. */
    public int snapshotQuality() {
        return hQ;
    }

    /** The counters and, with a {@link Fidelity}, the reconstruction error, as a report. */
    public FilterStats stats() {
        if (fidelity == null) {
            return new FilterStats(tag, offered, passedException, archived, filtered(), pending(), 0, 0, Double.NaN,
                    null, Double.NaN);
        }
        return fidelity.report(tag, offered, passedException, archived, filtered(), pending());
    }

    @Override
    public String toString() {
        return "SampleFilter[tag=" + tag + ", offered=" + offered + ", archived=" + archived + ", pending="
                + pending() + "]";
    }
}
