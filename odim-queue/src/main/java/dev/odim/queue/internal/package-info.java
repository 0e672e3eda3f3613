/** The worker's runtime and the shared checks behind the queue's API; not API. */
@NullMarked
package dev.odim.queue.internal;

import org.jspecify.annotations.NullMarked;
