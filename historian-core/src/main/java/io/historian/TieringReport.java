package io.historian;

import java.time.Instant;

/**
 * What one tiering run did.
 *
 * @param segmentsWritten segments uploaded and recorded in the manifest
 * @param segmentsAdopted segments an interrupted run had uploaded, found intact and recorded
 * @param samples samples moved to the cold tier
 * @param bytes bytes of segment objects recorded
 * @param orphansDeleted objects left by interrupted runs and deleted
 * @param cutoff the immutability cutoff after the run: samples before it are tiered or immutable
 */
public record TieringReport(int segmentsWritten, int segmentsAdopted, long samples, long bytes, int orphansDeleted,
        Instant cutoff) {
}
