/**
 * The S3 cold tier: {@link io.historian.tiering.S3ColdTier} stores tiered segments on any S3 API
 * (AWS, MinIO, Ceph, S3Proxy). Build one with {@link io.historian.tiering.S3ColdTier#builder()}
 * (endpoint, bucket, optional prefix, {@link io.historian.tiering.S3Credentials}) and hand it to
 * {@code Historian.Builder.coldTier}; a {@code TieringPolicy} says when data moves.
 */
package io.historian.tiering;
