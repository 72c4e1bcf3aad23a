/** The S3 cold tier; the module's issue has not been taken yet. */
package io.historian.tiering;
