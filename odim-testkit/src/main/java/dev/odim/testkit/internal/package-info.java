/** Implementation details of the testkit: archive extraction and process handling. */
@NullMarked
package dev.odim.testkit.internal;

import org.jspecify.annotations.NullMarked;
