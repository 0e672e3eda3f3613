package dev.odim.uploads.client.internal;

import dev.odim.uploads.client.ChecksumAlgorithm;
import dev.odim.uploads.client.RetryPolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/** The frozen settings of one client, validated by its builder. */
public record Settings(
    URI endpoint,
    HttpClient http,
    boolean ownsHttp,
    Supplier<Map<String, String>> headers,
    long chunkSize,
    RetryPolicy retry,
    ChecksumAlgorithm checksum,
    Duration requestTimeout,
    Duration chunkTimeout,
    boolean expectContinueOnResume,
    Clock clock) {}
