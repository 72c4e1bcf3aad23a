/** What sibling modules implement: sample sources ({@link io.historian.spi.SampleSource}, Modbus) and, next, cold tiers (S3). */
package io.historian.spi;
