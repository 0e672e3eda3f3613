/**
 * Fixtures for tests of Odim and of the services built on it: embedded PostgreSQL and Redis as
 * JUnit 5 extensions (real servers when {@code ODIM_TEST_POSTGRES_URL} / {@code
 * ODIM_TEST_REDIS_URL} are set) and a settable clock.
 */
@NullMarked
package dev.odim.testkit;

import org.jspecify.annotations.NullMarked;
