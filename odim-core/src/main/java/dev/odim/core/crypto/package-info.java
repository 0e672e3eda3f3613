/**
 * Personal data encrypted at rest: {@link dev.odim.core.crypto.FieldCipher} encrypts a column's
 * value with AES-256-GCM under the newest key of a {@link dev.odim.core.crypto.KeyRing}, bound to
 * the column and row it belongs to; {@link dev.odim.core.crypto.BlindIndex} gives a looked-up field
 * (an email) a keyed hash so that it can be found without being stored in clear; and {@link
 * dev.odim.core.crypto.Reencryption} moves old rows to the newest key after a rotation.
 */
@NullMarked
package dev.odim.core.crypto;

import org.jspecify.annotations.NullMarked;
