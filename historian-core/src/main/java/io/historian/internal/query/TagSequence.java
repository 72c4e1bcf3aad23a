package io.historian.internal.query;

import io.historian.query.Aggregate;
import io.historian.query.AggregateCursor;
import io.historian.query.PointCursor;
import io.historian.query.SampleCursor;
import java.util.List;
import java.util.function.Function;

/**
 * Cursors over several tags, one after the other: each tag's cursor (and its snapshot) is opened
 * when the previous one is exhausted and closed then, so at most one is open at a time.
 * An empty tag list gives an empty cursor. One thread.
 */
public final class TagSequence {
    private TagSequence() {
    }

    /** Aggregates of each tag in turn. */
    public static AggregateCursor aggregates(List<String> tags, List<Aggregate> aggregates,
            Function<String, AggregateCursor> open) {
        return new AggregateCursor() {
            private final Walker<AggregateCursor> w = new Walker<>(tags, open, AggregateCursor::next,
                    AggregateCursor::close);

            @Override
            public boolean next() {
                return w.next();
            }

            @Override
            public String tag() {
                return w.current().tag();
            }

            @Override
            public List<Aggregate> aggregates() {
                return aggregates;
            }

            @Override
            public long startMillis() {
                return w.current().startMillis();
            }

            @Override
            public long endMillis() {
                return w.current().endMillis();
            }

            @Override
            public double value(int i) {
                return w.current().value(i);
            }

            @Override
            public int qualityCode(int i) {
                return w.current().qualityCode(i);
            }

            @Override
            public void close() {
                w.close();
            }
        };
    }

    /** Points of each tag in turn. */
    public static PointCursor points(List<String> tags, Function<String, PointCursor> open) {
        final class Points extends Chained<PointCursor> implements PointCursor {
            Points() {
                super(new Walker<>(tags, open, PointCursor::next, PointCursor::close));
            }

            @Override
            public boolean gapBefore() {
                return w.current().gapBefore();
            }
        }
        return new Points();
    }

    /** Raw samples of each tag in turn. */
    public static SampleCursor samples(List<String> tags, Function<String, SampleCursor> open) {
        return new Chained<>(new Walker<>(tags, open, SampleCursor::next, SampleCursor::close));
    }

    /** A sample cursor that reads through whichever tag's cursor the walker is on. */
    private static class Chained<C extends SampleCursor> implements SampleCursor {
        final Walker<C> w;

        Chained(Walker<C> w) {
            this.w = w;
        }

        @Override
        public boolean next() {
            return w.next();
        }

        @Override
        public String tag() {
            return w.current().tag();
        }

        @Override
        public long epochMillis() {
            return w.current().epochMillis();
        }

        @Override
        public double value() {
            return w.current().value();
        }

        @Override
        public int qualityCode() {
            return w.current().qualityCode();
        }

        @Override
        public void close() {
            w.close();
        }
    }

    /** Moves through the tags' cursors. */
    private static final class Walker<C> {
        private final List<String> tags;
        private final Function<String, C> open;
        private final java.util.function.Predicate<C> advance;
        private final java.util.function.Consumer<C> close;
        private int index;
        private C current;
        private boolean closed;
        private boolean positioned;

        Walker(List<String> tags, Function<String, C> open, java.util.function.Predicate<C> advance,
                java.util.function.Consumer<C> close) {
            this.tags = List.copyOf(tags);
            this.open = open;
            this.advance = advance;
            this.close = close;
        }

        boolean next() {
            if (closed) {
                throw new IllegalStateException("cursor is closed [tags=" + tags + "]");
            }
            while (true) {
                if (current == null) {
                    if (index >= tags.size()) {
                        positioned = false;
                        return false;
                    }
                    current = open.apply(tags.get(index++));
                }
                if (advance.test(current)) {
                    positioned = true;
                    return true;
                }
                close.accept(current);
                current = null;
            }
        }

        C current() {
            if (!positioned || current == null) {
                throw new IllegalStateException("no current row; call next() first [tags=" + tags + "]");
            }
            return current;
        }

        void close() {
            if (!closed) {
                closed = true;
                if (current != null) {
                    close.accept(current);
                    current = null;
                }
            }
        }
    }
}
