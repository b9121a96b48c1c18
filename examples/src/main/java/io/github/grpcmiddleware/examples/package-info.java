/** The example services served with the full chain, and the demo client. */
@NullMarked
package io.github.grpcmiddleware.examples;

import org.jspecify.annotations.NullMarked;
