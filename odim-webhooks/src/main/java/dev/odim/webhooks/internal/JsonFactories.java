package dev.odim.webhooks.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;

/**
 * The module's one {@link JsonFactory} setting: buffers are recycled through a pool shared by all
 * threads. Jackson's default keeps them per thread, and hosts serve webhooks on virtual threads,
 * one new thread per request, so every parse and every write would allocate its buffers afresh.
 */
public final class JsonFactories {
  private JsonFactories() {}

  /** A factory whose parsers and generators take their buffers from the shared pool. */
  public static JsonFactory pooled() {
    return JsonFactory.builder()
        .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
        .build();
  }
}
