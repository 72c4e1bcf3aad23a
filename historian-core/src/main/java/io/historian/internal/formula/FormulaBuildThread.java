package io.historian.internal.formula;

import java.util.function.Supplier;

/**
 * Runs the recursive parts of a formula build (the parser, the code generator and Janino's own
 * recursive parser and compiler) on a thread of its own with a {@value #STACK_BYTES}-byte stack.
 *
 * <p>Why: those passes recurse once or more per nesting level, bounded by
 * {@link FormulaParser#MAX_NESTING}, and the library cannot know the stack of the thread that calls
 * {@code Historian.builder().build()}: a 256 KiB worker stack overflowed at 199 levels. A stack
 * of known size makes the worst legal formula fit whoever the caller is, at the cost of one thread
 * start per build.
 *
 * <p>The caller waits for the build. An interrupt while waiting does not abandon it (the build holds
 * no lock the interrupter could need, and the budget bounds its length); the interrupt flag is set
 * again afterwards. Whatever the task throws is rethrown on the caller's thread as is.
 */
final class FormulaBuildThread {
    /** Room for the deepest legal formula many times over; reserved, mostly never touched. */
    static final long STACK_BYTES = 16L << 20;
    static final String NAME = "historian-formula-build";

    private FormulaBuildThread() {
    }

    /** Runs {@code task} on a new thread with a {@link #STACK_BYTES} stack and returns its result. */
    static <T> T call(Supplier<T> task) {
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        Thread worker = new Thread(null, () -> {
            try {
                result[0] = task.get();
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, NAME, STACK_BYTES);
        worker.setDaemon(true); // a build stuck in a bug must not keep the JVM alive
        worker.start();
        boolean interrupted = false;
        while (true) {
            try {
                worker.join(); // join gives the happens-before edge for result and failure
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable t = failure[0];
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException("formula build failed", t); // a checked exception, sneaked through
        }
        @SuppressWarnings("unchecked")
        T value = (T) result[0];
        return value;
    }
}
