/**
 * The S3 cold tier: {@link io.historian.tiering.S3ColdTier}, for any S3 API (AWS, MinIO, Ceph, S3Proxy).
 */
package io.historian.tiering;
