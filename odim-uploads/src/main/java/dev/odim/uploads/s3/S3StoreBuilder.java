package dev.odim.uploads.s3;

import dev.odim.core.OdimConfigException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Configures an {@link S3Store}. Either hand it an {@link S3Client} you built (and close), or let
 * it build one from an endpoint, region and credentials. {@link #build()} validates every setting
 * and freezes them.
 */
public final class S3StoreBuilder {
  static final long MIB = 1024L * 1024;

  /** S3's smallest part (except the last one of an upload). */
  static final long MIN_PART_SIZE = 5 * MIB;

  /** S3's largest part. */
  static final long MAX_PART_SIZE = 5 * 1024 * MIB;

  /** S3's most parts in one multipart upload. */
  static final int MAX_PARTS = 10_000;

  /** S3's largest object, 5 TiB. */
  static final long MAX_OBJECT_SIZE = 5L * 1024 * 1024 * MIB;

  /** S3 bucket naming rules, which R2 and MinIO share; keeps a typo from reaching the network. */
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

  private static final Pattern REGION = Pattern.compile("[a-z0-9-]{1,40}");

  private @Nullable S3Client client;
  private @Nullable URI endpoint;
  private String region = "us-east-1";
  private @Nullable String accessKeyId;
  private @Nullable String secretAccessKey;
  private boolean pathStyleAccess;
  private @Nullable String bucket;
  private String keyPrefix = "uploads/";
  private Path tempDirectory = Path.of(System.getProperty("java.io.tmpdir"));
  private long partSize = 8 * MIB;
  private long maxUploadSize = 64 * 1024 * MIB;

  S3StoreBuilder() {}

  /**
   * A client you configured yourself (retries, timeouts, HTTP client, credentials). The store uses
   * it but does not close it. When set, {@link #endpoint}, {@link #region}, {@link #credentials}
   * and {@link #pathStyleAccess} must not be. For a service other than AWS, build it with {@code
   * requestChecksumCalculation(WHEN_REQUIRED)}: many S3-compatible services reject the checksum
   * trailers newer SDKs send by default.
   */
  public S3StoreBuilder client(S3Client client) {
    this.client = Objects.requireNonNull(client, "client");
    return this;
  }

  /**
   * The service's address, e.g. {@code https://<account>.r2.cloudflarestorage.com} or {@code
   * http://minio:9000}; default: AWS S3's address for the {@link #region}.
   */
  public S3StoreBuilder endpoint(URI endpoint) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    return this;
  }

  /** The region to sign requests for; default {@code us-east-1}. R2 wants {@code auto}. */
  public S3StoreBuilder region(String region) {
    this.region = Objects.requireNonNull(region, "region");
    return this;
  }

  /**
   * Static credentials; default: the SDK's default chain (environment, system properties, profile
   * file, container or instance role).
   */
  public S3StoreBuilder credentials(String accessKeyId, String secretAccessKey) {
    this.accessKeyId = Objects.requireNonNull(accessKeyId, "accessKeyId");
    this.secretAccessKey = Objects.requireNonNull(secretAccessKey, "secretAccessKey");
    return this;
  }

  /**
   * Whether the bucket goes in the path ({@code host/bucket/key}) rather than the host name ({@code
   * bucket.host/key}); default false. MinIO and s3proxy usually want true.
   */
  public S3StoreBuilder pathStyleAccess(boolean pathStyleAccess) {
    this.pathStyleAccess = pathStyleAccess;
    return this;
  }

  /** The bucket that holds the uploads (required); it must exist already. */
  public S3StoreBuilder bucket(String bucket) {
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    return this;
  }

  /**
   * The start of every key the store writes, up to 500 characters, no leading slash; default {@code
   * uploads/}. Two applications sharing one bucket need two prefixes, since {@link S3Store#ids()}
   * takes everything under the prefix for an upload of its own.
   */
  public S3StoreBuilder keyPrefix(String keyPrefix) {
    this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
    return this;
  }

  /**
   * Where a request's bytes are gathered into a part before they go to the service; default the
   * JVM's temporary directory. It must exist and be writable. Each request in flight uses up to one
   * part size of it, and the files are removed when the request ends.
   */
  public S3StoreBuilder tempDirectory(Path tempDirectory) {
    this.tempDirectory = Objects.requireNonNull(tempDirectory, "tempDirectory");
    return this;
  }

  /**
   * The size of every part but the last, 5 MiB (S3's minimum) to 5 GiB (its maximum); default 8
   * MiB. Larger parts mean fewer requests and more temporary disk per request in flight. The store
   * grows it when {@link #maxUploadSize} would otherwise need more than 10,000 parts.
   */
  public S3StoreBuilder partSize(long partSize) {
    this.partSize = partSize;
    return this;
  }

  /**
   * The largest upload the store must hold, 1 byte to 5 TiB (S3's largest object); default 64 GiB.
   * Set it to the handler's maximum upload size: the part size is grown to at least this divided by
   * 10,000 (S3's part limit), rounded up to a whole MiB.
   */
  public S3StoreBuilder maxUploadSize(long maxUploadSize) {
    this.maxUploadSize = maxUploadSize;
    return this;
  }

  /**
   * Validates the settings and builds the store; it makes no request yet.
   *
   * @throws OdimConfigException naming the first invalid setting
   */
  public S3Store build() {
    if (bucket == null) {
      throw new OdimConfigException("bucket", "is required");
    }
    if (!BUCKET.matcher(bucket).matches()) {
      throw new OdimConfigException(
          "bucket", "must be 3 to 63 of a-z 0-9 . - (S3 bucket naming), was \"" + bucket + "\"");
    }
    if (keyPrefix.length() > 500
        || keyPrefix.startsWith("/")
        || keyPrefix.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new OdimConfigException(
          "keyPrefix",
          "must be up to 500 characters without a leading slash or control characters, was \""
              + keyPrefix
              + "\"");
    }
    if (!Files.isDirectory(tempDirectory) || !Files.isWritable(tempDirectory)) {
      throw new OdimConfigException(
          "tempDirectory", "must be an existing writable directory, was " + tempDirectory);
    }
    if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
      throw new OdimConfigException(
          "partSize", "must be 5 MiB to 5 GiB (S3's part limits), was " + partSize + " bytes");
    }
    if (maxUploadSize < 1 || maxUploadSize > MAX_OBJECT_SIZE) {
      throw new OdimConfigException(
          "maxUploadSize",
          "must be 1 byte to 5 TiB (S3's largest object), was " + maxUploadSize + " bytes");
    }
    S3Client s3 = client;
    boolean owned = false;
    if (s3 != null) {
      if (endpoint != null
          || accessKeyId != null
          || pathStyleAccess
          || !region.equals("us-east-1")) {
        throw new OdimConfigException(
            "client",
            "set either a client or endpoint/region/credentials/pathStyleAccess, not both");
      }
    } else {
      if (!REGION.matcher(region).matches()) {
        throw new OdimConfigException(
            "region", "must be 1 to 40 of a-z 0-9 -, was \"" + region + "\"");
      }
      if (endpoint != null && (endpoint.getScheme() == null || endpoint.getHost() == null)) {
        throw new OdimConfigException(
            "endpoint", "must be an absolute http(s) URI with a host, was " + endpoint);
      }
      s3 = newClient();
      owned = true;
    }
    return new S3Store(
        s3,
        owned,
        bucket,
        keyPrefix,
        tempDirectory,
        effectivePartSize(partSize, maxUploadSize),
        maxUploadSize);
  }

  /**
   * The part size that keeps an upload of {@code maxUploadSize} within S3's 10,000 parts: {@code
   * partSize}, or the smallest whole number of MiB that fits, whichever is larger.
   */
  static long effectivePartSize(long partSize, long maxUploadSize) {
    long needed = Math.ceilDiv(maxUploadSize, MAX_PARTS);
    long neededMib = Math.ceilDiv(needed, MIB) * MIB;
    return Math.max(partSize, neededMib);
  }

  private S3Client newClient() {
    AwsCredentialsProvider credentials =
        accessKeyId == null
            ? DefaultCredentialsProvider.builder().build()
            : StaticCredentialsProvider.create(
                AwsBasicCredentials.create(accessKeyId, Objects.requireNonNull(secretAccessKey)));
    var builder =
        S3Client.builder()
            .region(Region.of(region))
            .credentialsProvider(credentials)
            .forcePathStyle(pathStyleAccess)
            .httpClient(UrlConnectionHttpClient.create())
            // Only the checksums S3 requires: R2, MinIO and s3proxy do not all accept the
            // CRC trailers (aws-chunked bodies) that the SDK sends by default since 2.30.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    return builder.build();
  }
}
