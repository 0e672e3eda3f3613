/** {@code ./odim bench webhooks}: signed deliveries over real HTTP into the durable inbox. */
@NullMarked
package dev.odim.bench.webhooks;

import org.jspecify.annotations.NullMarked;
