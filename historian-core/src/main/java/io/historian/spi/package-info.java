/**
 * What other modules implement to plug into a historian: a {@link io.historian.spi.SampleSource}
 * produces samples on its own threads (historian-modbus's {@code ModbusSource}) and writes them
 * into the {@link io.historian.spi.SampleSink} it is started with; a
 * {@link io.historian.spi.ColdTier} stores tiered segments as objects
 * ({@link io.historian.FileSystemColdTier}, historian-tiering's {@code S3ColdTier}). Register
 * either on {@link io.historian.Historian.Builder}.
 */
package io.historian.spi;
