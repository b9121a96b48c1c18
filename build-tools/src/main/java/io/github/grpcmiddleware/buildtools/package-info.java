/**
 * The build's own checks, run by exec-maven-plugin in the {@code verify} phase of every published
 * module: {@link io.github.grpcmiddleware.buildtools.ApiCheck} compares the module's public API
 * with its committed signature file, {@link io.github.grpcmiddleware.buildtools.ReleaseCheck}
 * stages the module as Maven Central's bundle would hold it and fails when a required file or POM
 * element is missing. Not published.
 */
@NullMarked
package io.github.grpcmiddleware.buildtools;

import org.jspecify.annotations.NullMarked;
