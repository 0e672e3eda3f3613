package dev.odim.uploads.s3;

import dev.odim.uploads.store.UploadStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListPartsRequest;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An {@link UploadStore} in an S3-compatible object store (AWS S3, Cloudflare R2, MinIO), so that
 * any server instance can continue an upload that another started: nothing between two calls lives
 * in one process's memory or on its disk.
 *
 * <p>Each upload is one S3 multipart upload of equal parts of {@link #partSize()}, whose id is kept
 * in a small {@code <key>.info} object. A request's bytes are gathered in a temporary file (never
 * in memory) and sent as whole parts; the remainder, smaller than a part, is stored as an
 * <em>incomplete part</em> object {@code <key>.part.<n>} (n = the part number it will become), so
 * it is durable and visible to every instance, and the next request takes it back and starts from
 * it. Because all parts but the last have the same size, the part holding any offset is known
 * without asking the service, which is how bytes beyond the handler's recorded offset (a crash
 * after a write, before the record) are discarded: the parts below the offset are kept, the
 * incomplete part is read back only up to the offset, and what lies beyond is overwritten or left
 * out when the upload is assembled. An incomplete part is only deleted once a later request shows
 * that its bytes were recorded, so a crash never loses recorded bytes.
 *
 * <p>Upload ids are 1 to 200 of {@code A-Z a-z 0-9 _ -} (the handler's UUIDs), which keeps the
 * object keys unambiguous. Built by {@link #builder()}.
 */
public final class S3Store implements UploadStore {
  private static final Pattern UPLOAD_ID = Pattern.compile("[A-Za-z0-9_-]{1,200}");
  private static final String INFO = ".info";
  private static final String PART = ".part.";
  private static final int BUFFER = 64 * 1024;

  private final S3Client s3;
  private final boolean ownsClient;
  private final String bucket;
  private final String keyPrefix;
  private final Path tempDirectory;
  private final long partSize;
  private final long maxUploadSize;

  S3Store(
      S3Client s3,
      boolean ownsClient,
      String bucket,
      String keyPrefix,
      Path tempDirectory,
      long partSize,
      long maxUploadSize) {
    this.s3 = s3;
    this.ownsClient = ownsClient;
    this.bucket = bucket;
    this.keyPrefix = keyPrefix;
    this.tempDirectory = tempDirectory;
    this.partSize = partSize;
    this.maxUploadSize = maxUploadSize;
  }

  /** Starts configuring a store; {@link S3StoreBuilder#bucket} is the one required setting. */
  public static S3StoreBuilder builder() {
    return new S3StoreBuilder();
  }

  /**
   * The size of every part but the last: the configured part size, grown if needed so that the
   * largest upload fits in S3's 10,000 parts.
   */
  public long partSize() {
    return partSize;
  }

  @Override
  public void create(String uploadId) throws IOException {
    String key = key(uploadId);
    if (readInfo(key) != null || head(key) != null) {
      return;
    }
    // A crash between these two calls leaves a multipart upload without .info: ids() still lists
    // it (from ListMultipartUploads), so the clean-up job deletes it.
    String multipartId =
        call(
            "start the multipart upload of " + key,
            () -> s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId());
    call(
        "write " + key + INFO,
        () ->
            s3.putObject(
                b -> b.bucket(bucket).key(key + INFO), RequestBody.fromString(multipartId)));
  }

  @Override
  public long append(String uploadId, long offset, InputStream data) throws IOException {
    String key = key(uploadId);
    if (offset < 0 || offset > maxUploadSize) {
      throw new IllegalArgumentException("offset must be 0 to maxUploadSize, was " + offset);
    }
    String multipartId = requireInfo(key);
    long fullParts = offset / partSize;
    long tailLength = offset % partSize;
    long tailSize = discardOtherTails(key, (int) fullParts + 1);
    if (tailLength > 0 && tailSize < tailLength) {
      throw new IOException(
          "S3 holds fewer bytes of " + key + " than the recorded offset " + offset);
    }
    Path file = Files.createTempFile(tempDirectory, "odim-s3-", ".part");
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      long filled = 0;
      if (tailLength > 0) {
        try (InputStream tail = getRange(key + PART + (fullParts + 1), 0, tailLength)) {
          filled = copy(tail, channel, tailLength);
        }
        if (filled != tailLength) {
          throw new IOException("the incomplete part of " + key + " ended early");
        }
      }
      long received = 0;
      byte[] buffer = new byte[BUFFER];
      boolean more = true;
      while (more) {
        int n;
        try {
          n = data.read(buffer, 0, (int) Math.min(buffer.length, partSize - filled));
        } catch (IOException broken) {
          // The client went away: keep what arrived, as the contract asks.
          n = -1;
        }
        if (n < 0) {
          more = false;
          continue;
        }
        writeFully(channel, buffer, n);
        filled += n;
        received += n;
        if (fullParts * partSize + filled > maxUploadSize) {
          throw new IOException(
              "the upload " + key + " is larger than maxUploadSize " + maxUploadSize);
        }
        if (filled == partSize) {
          channel.force(false);
          uploadPart(key, multipartId, (int) fullParts + 1, file);
          fullParts++;
          channel.truncate(0);
          channel.position(0);
          filled = 0;
        }
      }
      if (filled > 0 && (received > 0 || tailSize != filled)) {
        channel.force(false);
        String tailKey = key + PART + (fullParts + 1);
        call(
            "write " + tailKey,
            () -> s3.putObject(b -> b.bucket(bucket).key(tailKey), RequestBody.fromFile(file)));
      }
      return fullParts * partSize + filled;
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Override
  public void finish(String uploadId, long length) throws IOException {
    String key = key(uploadId);
    if (length < 0 || length > maxUploadSize) {
      throw new IllegalArgumentException("length must be 0 to maxUploadSize, was " + length);
    }
    if (isFinished(key, length)) {
      // finished before, by a call that crashed before tidying up or whose answer was lost
      removePending(key);
      return;
    }
    String multipartId = requireInfo(key);
    if (length == 0) {
      // S3 refuses to complete a multipart upload without parts.
      abort(key, multipartId);
      call("write " + key, () -> s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.empty()));
    } else {
      complete(key, multipartId, length);
    }
    removePending(key);
  }

  private void complete(String key, String multipartId, long length) throws IOException {
    int count = (int) Math.ceilDiv(length, partSize);
    long lastSize = length - (count - 1) * partSize;
    if (lastSize < partSize) {
      // The last part is the incomplete part, read up to the length: S3 allows it to be small.
      Path file = Files.createTempFile(tempDirectory, "odim-s3-", ".part");
      try {
        try (InputStream tail = getRange(key + PART + count, 0, lastSize);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
          if (copy(tail, channel, lastSize) != lastSize) {
            throw new IOException("the incomplete part of " + key + " ended early");
          }
        }
        uploadPart(key, multipartId, count, file);
      } finally {
        Files.deleteIfExists(file);
      }
    }
    TreeMap<Integer, Part> parts = listParts(key, multipartId);
    List<CompletedPart> completed = new ArrayList<>(count);
    for (int number = 1; number <= count; number++) {
      Part part = parts.get(number);
      long expected = number < count ? partSize : lastSize;
      if (part == null || part.size() == null || part.size() != expected) {
        throw new IOException(
            "part " + number + " of " + key + " is missing or not " + expected + " bytes");
      }
      completed.add(CompletedPart.builder().partNumber(number).eTag(part.eTag()).build());
    }
    // Parts above count (from a write that was never recorded) are left out, and S3 drops them.
    call(
        "complete the multipart upload of " + key,
        () ->
            s3.completeMultipartUpload(
                b ->
                    b.bucket(bucket)
                        .key(key)
                        .uploadId(multipartId)
                        .multipartUpload(m -> m.parts(completed))));
  }

  @Override
  public InputStream open(String uploadId) throws IOException {
    String key = key(uploadId);
    try {
      return s3.getObject(b -> b.bucket(bucket).key(key));
    } catch (NoSuchKeyException e) {
      throw new NoSuchFileException(key, null, "no finished upload");
    } catch (SdkException e) {
      throw failed("read " + key, e);
    }
  }

  @Override
  public void concatenate(String uploadId, List<String> partIds) throws IOException {
    String key = key(uploadId);
    List<String> sources = new ArrayList<>(partIds.size());
    List<Long> sizes = new ArrayList<>(partIds.size());
    for (String partId : partIds) {
      String source = key(partId);
      HeadObjectResponse head = head(source);
      if (head == null) {
        throw new NoSuchFileException(source, null, "no finished upload to concatenate");
      }
      sources.add(source);
      sizes.add(head.contentLength());
    }
    long total = sizes.stream().mapToLong(Long::longValue).sum();
    if (total > maxUploadSize) {
      throw new IOException(
          "the concatenation " + key + " would be larger than maxUploadSize " + maxUploadSize);
    }
    if (total == 0) {
      call("write " + key, () -> s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.empty()));
      removePending(key);
      return;
    }
    String multipartId =
        call(
            "start the multipart upload of " + key,
            () -> s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId());
    try {
      List<CompletedPart> parts =
          copyable(sizes)
              ? copyParts(key, multipartId, sources, sizes)
              : streamParts(key, multipartId, sources);
      call(
          "complete the multipart upload of " + key,
          () ->
              s3.completeMultipartUpload(
                  b ->
                      b.bucket(bucket)
                          .key(key)
                          .uploadId(multipartId)
                          .multipartUpload(m -> m.parts(parts))));
    } catch (IOException | RuntimeException e) {
      try {
        abort(key, multipartId);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    removePending(key);
  }

  /**
   * Whether the sources can be copied inside the service (no bytes through this process) in parts
   * of the part size: every source but the last must be a whole number of parts. Parts of one size
   * also suit Cloudflare R2, which refuses uploads whose non-trailing parts differ in size.
   */
  private boolean copyable(List<Long> sizes) {
    for (int i = 0; i < sizes.size() - 1; i++) {
      long size = sizes.get(i);
      if (size == 0 || size % partSize != 0) {
        return false;
      }
    }
    return sizes.getLast() > 0 || sizes.size() == 1;
  }

  private List<CompletedPart> copyParts(
      String key, String multipartId, List<String> sources, List<Long> sizes) throws IOException {
    List<CompletedPart> parts = new ArrayList<>();
    for (int i = 0; i < sources.size(); i++) {
      String source = sources.get(i);
      long size = sizes.get(i);
      for (long from = 0; from < size; from += partSize) {
        int number = parts.size() + 1;
        if (number > S3StoreBuilder.MAX_PARTS) {
          throw new IOException("the upload " + key + " would need more than 10,000 parts");
        }
        String range = "bytes=" + from + "-" + (Math.min(from + partSize, size) - 1);
        String eTag =
            call(
                "copy " + source + " into " + key,
                () ->
                    s3.uploadPartCopy(
                            b ->
                                b.sourceBucket(bucket)
                                    .sourceKey(source)
                                    .copySourceRange(range)
                                    .destinationBucket(bucket)
                                    .destinationKey(key)
                                    .uploadId(multipartId)
                                    .partNumber(number))
                        .copyPartResult()
                        .eTag());
        parts.add(CompletedPart.builder().partNumber(number).eTag(eTag).build());
      }
    }
    return parts;
  }

  /** Small sources: read through a temporary file, in parts of {@link #partSize}. */
  private List<CompletedPart> streamParts(String key, String multipartId, List<String> sources)
      throws IOException {
    List<CompletedPart> parts = new ArrayList<>();
    Path file = Files.createTempFile(tempDirectory, "odim-s3-", ".part");
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      byte[] buffer = new byte[BUFFER];
      long filled = 0;
      for (String source : sources) {
        try (InputStream in = open(source.substring(keyPrefix.length()))) {
          int n;
          while ((n = in.read(buffer, 0, (int) Math.min(buffer.length, partSize - filled))) >= 0) {
            writeFully(channel, buffer, n);
            filled += n;
            if (filled == partSize) {
              parts.add(uploadPart(key, multipartId, parts.size() + 1, file));
              channel.truncate(0);
              channel.position(0);
              filled = 0;
            }
          }
        }
      }
      if (filled > 0) {
        parts.add(uploadPart(key, multipartId, parts.size() + 1, file));
      }
      return parts;
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Override
  public void delete(String uploadId) throws IOException {
    String key = key(uploadId);
    removePending(key);
    for (MultipartUpload open : openMultipartUploads(key)) {
      if (open.key().equals(key)) {
        abort(key, open.uploadId()); // one whose .info was never written (crash in create)
      }
    }
    call("delete " + key, () -> s3.deleteObject(b -> b.bucket(bucket).key(key)));
  }

  @Override
  public Stream<String> ids() throws IOException {
    Set<String> ids = new LinkedHashSet<>();
    call(
        "list " + keyPrefix,
        () -> {
          ListObjectsV2Request request =
              ListObjectsV2Request.builder().bucket(bucket).prefix(keyPrefix).build();
          for (S3Object object : s3.listObjectsV2Paginator(request).contents()) {
            String name = object.key().substring(keyPrefix.length());
            int dot = name.indexOf('.');
            String id = dot < 0 ? name : name.substring(0, dot);
            if (UPLOAD_ID.matcher(id).matches()) {
              ids.add(id);
            }
          }
          return ids;
        });
    for (MultipartUpload open : openMultipartUploads(keyPrefix)) {
      String id = open.key().substring(keyPrefix.length());
      if (UPLOAD_ID.matcher(id).matches()) {
        ids.add(id);
      }
    }
    return ids.stream();
  }

  @Override
  public void close() {
    if (ownsClient) {
      s3.close();
    }
  }

  @Override
  public String toString() {
    return "S3Store[bucket=" + bucket + ", keyPrefix=" + keyPrefix + ", partSize=" + partSize + "]";
  }

  private List<MultipartUpload> openMultipartUploads(String prefix) throws IOException {
    return call(
        "list the multipart uploads under " + prefix,
        () -> {
          ListMultipartUploadsRequest request =
              ListMultipartUploadsRequest.builder().bucket(bucket).prefix(prefix).build();
          List<MultipartUpload> uploads = new ArrayList<>();
          for (ListMultipartUploadsResponse page : s3.listMultipartUploadsPaginator(request)) {
            uploads.addAll(page.uploads());
          }
          return uploads;
        });
  }

  /** Aborts the multipart upload, deletes {@code .info} and every incomplete part. */
  private void removePending(String key) throws IOException {
    String multipartId = readInfo(key);
    if (multipartId != null) {
      abort(key, multipartId);
    }
    for (String tail : tails(key).keySet()) {
      call("delete " + tail, () -> s3.deleteObject(b -> b.bucket(bucket).key(tail)));
    }
    call("delete " + key + INFO, () -> s3.deleteObject(b -> b.bucket(bucket).key(key + INFO)));
  }

  private void abort(String key, String multipartId) throws IOException {
    try {
      s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(multipartId));
    } catch (NoSuchUploadException e) {
      // aborted or completed already
    } catch (SdkException e) {
      throw failed("abort the multipart upload of " + key, e);
    }
  }

  /**
   * Deletes every incomplete part but number {@code keep}: those below are whole parts the handler
   * has recorded, those above were written after the recorded offset. Returns the size of the one
   * kept, or 0.
   */
  private long discardOtherTails(String key, int keep) throws IOException {
    long kept = 0;
    for (var tail : tails(key).entrySet()) {
      String tailKey = tail.getKey();
      if (tailKey.equals(key + PART + keep)) {
        kept = tail.getValue();
      } else {
        call("delete " + tailKey, () -> s3.deleteObject(b -> b.bucket(bucket).key(tailKey)));
      }
    }
    return kept;
  }

  /** The incomplete parts of an upload: key to size. Usually one, rarely a few. */
  private TreeMap<String, Long> tails(String key) throws IOException {
    return call(
        "list the incomplete parts of " + key,
        () -> {
          TreeMap<String, Long> tails = new TreeMap<>();
          ListObjectsV2Request request =
              ListObjectsV2Request.builder().bucket(bucket).prefix(key + PART).build();
          for (S3Object object : s3.listObjectsV2Paginator(request).contents()) {
            tails.put(object.key(), object.size());
          }
          return tails;
        });
  }

  private TreeMap<Integer, Part> listParts(String key, String multipartId) throws IOException {
    return call(
        "list the parts of " + key,
        () -> {
          TreeMap<Integer, Part> parts = new TreeMap<>();
          ListPartsRequest request =
              ListPartsRequest.builder().bucket(bucket).key(key).uploadId(multipartId).build();
          for (ListPartsResponse page : s3.listPartsPaginator(request)) {
            for (Part part : page.parts()) {
              parts.put(part.partNumber(), part);
            }
          }
          return parts;
        });
  }

  private CompletedPart uploadPart(String key, String multipartId, int number, Path file)
      throws IOException {
    if (number > S3StoreBuilder.MAX_PARTS) {
      throw new IOException("the upload " + key + " would need more than 10,000 parts");
    }
    String eTag =
        call(
            "upload part " + number + " of " + key,
            () ->
                s3.uploadPart(
                        b -> b.bucket(bucket).key(key).uploadId(multipartId).partNumber(number),
                        RequestBody.fromFile(file))
                    .eTag());
    return CompletedPart.builder().partNumber(number).eTag(eTag).build();
  }

  private InputStream getRange(String objectKey, long from, long length) throws IOException {
    try {
      ResponseInputStream<GetObjectResponse> in =
          s3.getObject(
              b ->
                  b.bucket(bucket)
                      .key(objectKey)
                      .range("bytes=" + from + "-" + (from + length - 1)));
      return in;
    } catch (NoSuchKeyException e) {
      throw new NoSuchFileException(objectKey, null, "incomplete part missing");
    } catch (SdkException e) {
      throw failed("read " + objectKey, e);
    }
  }

  private boolean isFinished(String key, long length) throws IOException {
    HeadObjectResponse head = head(key);
    return head != null && head.contentLength() == length;
  }

  private @Nullable HeadObjectResponse head(String key) throws IOException {
    try {
      return s3.headObject(b -> b.bucket(bucket).key(key));
    } catch (NoSuchKeyException e) {
      return null;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return null; // HEAD has no body, so some services give no NoSuchKey code
      }
      throw failed("look up " + key, e);
    } catch (SdkException e) {
      throw failed("look up " + key, e);
    }
  }

  private @Nullable String readInfo(String key) throws IOException {
    try {
      return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key + INFO))
          .asString(StandardCharsets.UTF_8);
    } catch (NoSuchKeyException e) {
      return null;
    } catch (SdkException e) {
      throw failed("read " + key + INFO, e);
    }
  }

  private String requireInfo(String key) throws IOException {
    String multipartId = readInfo(key);
    if (multipartId == null) {
      throw new NoSuchFileException(key, null, "no upload in progress (create it first)");
    }
    return multipartId;
  }

  private String key(String uploadId) {
    Objects.requireNonNull(uploadId, "uploadId");
    if (!UPLOAD_ID.matcher(uploadId).matches()) {
      throw new IllegalArgumentException(
          "upload ids must be 1 to 200 of A-Z a-z 0-9 _ -, was \"" + uploadId + "\"");
    }
    return keyPrefix + uploadId;
  }

  private static long copy(InputStream in, FileChannel channel, long limit) throws IOException {
    byte[] buffer = new byte[BUFFER];
    long copied = 0;
    int n;
    while (copied < limit
        && (n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - copied))) >= 0) {
      writeFully(channel, buffer, n);
      copied += n;
    }
    return copied;
  }

  private static void writeFully(FileChannel channel, byte[] buffer, int length)
      throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, length);
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
  }

  private static IOException failed(String what, SdkException e) {
    return new IOException("S3: cannot " + what + ": " + e.getMessage(), e);
  }

  @FunctionalInterface
  private interface S3Call<T> {
    T run() throws IOException;
  }

  /** Runs one request, turning the SDK's unchecked failures into the SPI's IOException. */
  private static <T> T call(String what, S3Call<T> request) throws IOException {
    try {
      return request.run();
    } catch (SdkException e) {
      throw failed(what, e);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
