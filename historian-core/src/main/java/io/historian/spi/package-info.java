/** What sibling modules implement: sample sources (Modbus) and cold tiers (S3). */
package io.historian.spi;
