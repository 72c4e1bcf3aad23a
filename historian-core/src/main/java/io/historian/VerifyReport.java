package io.historian;

import java.util.List;

/**
 * What {@link Historian.Builder#verify()} checked in a closed data directory and the damage it
 * found.
 *
 * <pre>{@code
 * VerifyReport report = Historian.builder().dataDirectory(dir).verify();
 * if (!report.healthy()) {
 *     report.damage().forEach(System.err::println);
 * }
 * }</pre>
 *
 * @param checks one line per check done, with what it covered ({@code "store: 1,204 chunks of 100 tags, CRC ok"})
 * @param damage one line per problem found, each naming the file, tag or object; empty when healthy
 */
public record VerifyReport(List<String> checks, List<String> damage) {
    /**
     * Copies the lists.
     *
     * @param checks one line per check done
     * @param damage one line per problem found
     */
    public VerifyReport {
        checks = List.copyOf(checks);
        damage = List.copyOf(damage);
    }

    /** {@return true when no damage was found} */
    public boolean healthy() {
        return damage.isEmpty();
    }

    /** {@return the report as printed by the command line: the checks, then the damage, then a verdict line} */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        for (String c : checks) {
            out.append("checked: ").append(c).append('\n');
        }
        for (String d : damage) {
            out.append("DAMAGE: ").append(d).append('\n');
        }
        out.append(healthy() ? "healthy" : "damaged: " + damage.size() + " problem(s)");
        return out.toString();
    }
}
