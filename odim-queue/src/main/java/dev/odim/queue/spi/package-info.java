/**
 * The service-provider interface a queue backend implements. The worker, the admin service and the
 * contract test suite (odim-queue's {@code tests} jar, {@code JobBackendContract}) use only this
 * interface, so a third backend that passes the suite behaves like the two that ship.
 */
@NullMarked
package dev.odim.queue.spi;

import org.jspecify.annotations.NullMarked;
