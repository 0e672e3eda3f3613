/**
 * The S3-compatible upload store ({@link dev.odim.uploads.s3.S3Store}): upload bytes in AWS S3,
 * Cloudflare R2, MinIO or any service that speaks S3 multipart uploads, so every server instance
 * can continue any upload. Needs {@code software.amazon.awssdk:s3} and {@code
 * software.amazon.awssdk:url-connection-client} on the class path (optional dependencies of this
 * module).
 */
@NullMarked
package dev.odim.uploads.s3;

import org.jspecify.annotations.NullMarked;
